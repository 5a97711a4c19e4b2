import type { ManifestInput, Violation } from '../../sdk/protocol/index.ts';
import type { Host } from '../../shell/host/host.ts';
import { fixtureUrl } from './canvas.ts';

/** The engine under test, for per-engine expectations and figures. */
export const FIREFOX = navigator.userAgent.includes('Firefox/');
export const CHROMIUM = navigator.userAgent.includes('Chrome/');
export const ENGINE = FIREFOX ? 'Firefox' : CHROMIUM ? 'Chromium' : 'WebKitGTK';

/**
 * The host's handshake deadline in the hostile tests. The default 10 s covers loading the
 * frame; the first widget from the attackers' site in a fresh test page starts a new process
 * and compiles the fixture, which on a two-core machine under other load took longer.
 */
export const SLOW_LOADS = { connectTimeoutMs: 30_000 };

/**
 * The manifest of the hostile fixture running `attack`, as app `evil`. On a site of its own
 * (as the README tells integrators): the attacker's busy process is then not the one its
 * victims run in.
 */
export function hostileManifest(attack: string, extra: Partial<ManifestInput> = {}): ManifestInput {
  return {
    id: 'evil',
    name: 'Evil',
    url: fixtureUrl(`hostile/attacks.html?attack=${attack}`).replace('127.0.0.1', '127.0.0.2'),
    publishes: ['evil.*.*'],
    ...extra,
  };
}

/** Collects the violations of `kind` the host reports from now on. */
export function violationsOf(host: Host, kind: Violation['kind']): Violation[] {
  const seen: Violation[] = [];
  host.addEventListener('mc-violation', (event) => {
    if (event.violation.kind === kind) seen.push(event.violation);
  });
  return seen;
}

/** The middle of an element, in viewport pixels, for the driver's mouse. */
export function center(element: Element): [number, number] {
  const box = element.getBoundingClientRect();
  return [Math.round(box.x + box.width / 2), Math.round(box.y + box.height / 2)];
}
