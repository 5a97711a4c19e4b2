import { expect } from '@open-wc/testing';

import type { ManifestInput } from '../../sdk/protocol/index.ts';
import type { McViolationEvent } from '../../shell/host/host-events.ts';
import {
  cleanup,
  collect,
  command,
  createCanvas,
  mountDriven,
  nextEvent,
} from '../helpers/canvas.ts';

/** alpha publishes `alpha.date.selected` under `schema`; beta subscribes to alpha's topics. */
async function pair(schema: Record<string, unknown>, canvas = createCanvas()) {
  const { host } = canvas;
  const schemas: ManifestInput['schemas'] = { topics: { 'alpha.date.selected': schema } };
  const a = await mountDriven(canvas, 'alpha', { publishes: ['alpha.date.*'], schemas });
  const b = await mountDriven(canvas, 'beta', { subscribes: ['alpha.date.*'] });
  const subscribed = nextEvent(host, 'beta.echo.subscribed');
  command(host, b, { cmd: 'subscribe', pattern: 'alpha.date.*' });
  await subscribed;
  const received = collect<{ topic: string; data: unknown }>(host, 'beta.echo.received');
  await received.ready;
  return { host, a, received };
}

describe('payload schemas between real cross-site widgets', () => {
  afterEach(cleanup);

  it('refuses a payload that does not match its topic’s schema, naming the path, and delivers none of it', async () => {
    const { host, a, received } = await pair({
      type: 'object',
      properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
      required: ['date'],
      additionalProperties: false,
    });
    const error = nextEvent<{ code: string; message: string }>(host, 'alpha.echo.error');
    command(host, a, { cmd: 'publish', topic: 'alpha.date.selected', data: { date: 20261124 } });
    expect((await error).data.code).to.equal('INVALID_ARGUMENT');
    expect((await error).data.message).to.match(/data\.date: expected string, got number$/);
    // Order per publisher is kept: had a refused one gone out, it would arrive before these.
    command(host, a, { cmd: 'publish', topic: 'alpha.date.selected', data: { date: 'soon' } });
    command(host, a, { cmd: 'publish', topic: 'alpha.date.cleared', data: 'no schema' });
    command(host, a, {
      cmd: 'publish',
      topic: 'alpha.date.selected',
      data: { date: '2026-11-24' },
    });
    await nextEvent(host, 'beta.echo.received', (e) =>
      JSON.stringify(e.data).includes('2026-11-24'),
    );
    expect(received.events.map((e) => e.data.data)).to.deep.equal([
      'no schema',
      { date: '2026-11-24' },
    ]);
  });

  it('reports a ReDoS pattern when the manifest is registered and refuses its topic at once, for good', async () => {
    const canvas = createCanvas();
    const violation = new Promise<McViolationEvent>((resolve) =>
      canvas.host.addEventListener('mc-violation', (e) => {
        if ((e as McViolationEvent).violation.kind === 'schema') resolve(e as McViolationEvent);
      }),
    );
    // Refused at once: not a schema, and too large (the page checks shape and size).
    expect(() =>
      canvas.host.register({
        id: 'gamma',
        name: 'Gamma',
        url: 'https://apps.example/gamma',
        publishes: ['gamma.a.b'],
        schemas: { topics: { 'gamma.a.b': { enum: ['x'.repeat(9000)] } } },
      }),
    ).to.throw(/schemas\.topics\.gamma\.a\.b.*8192/);
    const { host, a, received } = await pair({ type: 'string', pattern: '^(a+)+$' }, canvas);
    expect((await violation).violation.detail).to.match(/pattern refused: a quantified group/);
    const error = nextEvent<{ code: string; message: string }>(host, 'alpha.echo.error');
    // "aaaa…!" would take the broker's thread for minutes with this pattern.
    command(host, a, { cmd: 'publish', topic: 'alpha.date.selected', data: `${'a'.repeat(40)}!` });
    expect((await error).data.code).to.equal('INVALID_ARGUMENT');
    // The broker is free: the next event of another topic reaches beta.
    command(host, a, { cmd: 'publish', topic: 'alpha.date.cleared', data: 'after' });
    await nextEvent(host, 'beta.echo.received');
    expect(received.events.map((e) => e.data.data)).to.deep.equal(['after']);
  });
});
