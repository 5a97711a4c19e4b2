import { expect } from '@open-wc/testing';

import { isShortcut, ManifestSchema, SizeSchema } from '../../sdk/protocol/index.ts';
import {
  ContextService,
  ServiceLimiter,
  SERVICE_RATES,
  ToastStack,
  MAX_TOASTS,
  MAX_TOASTS_PER_APP,
} from '../../shell/services/index.ts';
import { ResizeGovernor } from '../../shell/services/resize-governor.ts';

const BOUNDS = { width: 300, height: 400 };

function governor(height: object = { mode: 'content', min: 50 }) {
  let now = 0;
  const g = new ResizeGovernor(SizeSchema.parse({ height }), () => now);
  return { g, advance: (ms: number) => (now += ms) };
}

describe('ResizeGovernor', () => {
  it('clamps content axes to [min, min(max, bounds)] and ignores fixed ones', () => {
    const { g } = governor({ mode: 'content', min: 50, max: 350 });
    expect(g.decide({ width: 10, height: 10 }, BOUNDS)).to.deep.equal({
      height: 50,
      frozen: false,
    });
    expect(g.decide({ height: 99_999 }, BOUNDS)).to.deep.equal({ height: 350, frozen: false });
    expect(g.decide({ height: 99_999 }, { width: 300, height: 200 })).to.deep.equal({
      height: 200,
      frozen: false,
    });
    expect(g.decide({ width: 120 }, BOUNDS)).to.deep.equal({ frozen: false });
  });

  it('freezes an A→B→A→B oscillation at the larger size, for good', () => {
    const { g, advance } = governor();
    for (const h of [100, 200, 100]) {
      expect(g.decide({ height: h }, BOUNDS).frozen).to.equal(false);
      advance(50);
    }
    expect(g.decide({ height: 200 }, BOUNDS)).to.deep.equal({ height: 200, frozen: true });
    expect(g.frozen).to.equal(true);
    advance(60_000);
    expect(g.decide({ height: 120 }, BOUNDS)).to.deep.equal({ height: 200, frozen: true });
  });

  it('does not mistake slow toggling or steady growth for a loop', () => {
    const slow = governor();
    for (const h of [100, 200, 100, 200, 100, 200]) {
      expect(slow.g.decide({ height: h }, BOUNDS).frozen).to.equal(false);
      slow.advance(600);
    }
    const growing = governor();
    for (let h = 60; h < 400; h += 10) {
      expect(growing.g.decide({ height: h }, BOUNDS).frozen).to.equal(false);
    }
    // Repeating the current size is not a change at all.
    const same = governor();
    for (let i = 0; i < 10; i++)
      expect(same.g.decide({ height: 80 }, BOUNDS).frozen).to.equal(false);
  });
});

describe('Shortcut grammar', () => {
  it('accepts modifier combos and function keys, nothing that is plain typing', () => {
    for (const ok of [
      'Ctrl+K',
      'Alt+Shift+N',
      'Meta+Enter',
      'Ctrl+Alt+Shift+Meta+1',
      'F2',
      'Shift+F12',
    ]) {
      expect(isShortcut(ok), ok).to.equal(true);
    }
    for (const bad of [
      'K',
      'Shift+K',
      'Alt+Ctrl+K',
      'Ctrl+k',
      'Ctrl+',
      'Ctrl+KK',
      'F13',
      'Ctrl+Tab',
      '',
      7,
    ]) {
      expect(isShortcut(bad), String(bad)).to.equal(false);
    }
  });

  it('manifest fields: services allow-list, per-axis size, shortcuts, storage quota', () => {
    const base = { id: 'app', name: 'App', url: 'https://app.example/' };
    const parsed = ManifestSchema.parse(base);
    expect(parsed.services).to.deep.equal([]);
    expect(parsed.size.height.mode).to.equal('fixed');
    for (const bad of [
      { services: ['resize', 'camera'] },
      { size: { height: { mode: 'auto' } } },
      { size: { depth: { mode: 'content' } } },
      { shortcuts: ['k'] },
      { storage: { quotaBytes: 2 * 1024 * 1024 } },
    ]) {
      expect(ManifestSchema.safeParse({ ...base, ...bad }).success, JSON.stringify(bad)).to.equal(
        false,
      );
    }
  });
});

describe('ServiceLimiter', () => {
  it('allows the burst per app and service, then refuses with RATE_LIMITED', () => {
    let now = 0;
    const limiter = new ServiceLimiter(() => now);
    const { burst, perSecond } = SERVICE_RATES.notify;
    for (let i = 0; i < burst; i++) limiter.take('a', 'notify');
    expect(() => limiter.take('a', 'notify'))
      .to.throw()
      .with.property('code', 'RATE_LIMITED');
    // Another app and another service have their own buckets.
    limiter.take('b', 'notify');
    limiter.take('a', 'storage');
    now += 1000 / perSecond;
    limiter.take('a', 'notify');
  });
});

describe('ToastStack', () => {
  it('caps toasts per app and in all, oldest first', () => {
    const stack = new ToastStack(60_000);
    for (let i = 0; i < 5; i++) stack.show('a', 'A', { text: `a${i}`, kind: 'info' });
    expect(stack.toasts.map((t) => t.text)).to.deep.equal(['a3', 'a4'].slice(-MAX_TOASTS_PER_APP));
    for (const app of ['b', 'c', 'd', 'e']) stack.show(app, app, { text: app, kind: 'info' });
    expect(stack.toasts).to.have.length(MAX_TOASTS);
    expect(stack.toasts[0]!.text).to.equal('a4');
    stack.destroy();
    expect(stack.toasts).to.have.length(0);
  });
});

describe('ContextService', () => {
  it('lays host tokens over the theme defaults and notifies on change', () => {
    const service = new ContextService({ theme: 'dark', tokens: { '--mc-accent': 'red' } });
    let changes = 0;
    service.onChange(() => changes++);
    expect(service.contextFor('a', 's').tokens!['--mc-accent']).to.equal('red');
    service.update({ theme: 'light', user: { id: 'u', name: 'U' } });
    expect(service.contextFor('a', 's')).to.include({ theme: 'light' });
    expect(service.contextFor('a', 's').user).to.deep.equal({ id: 'u', name: 'U' });
    service.update({ user: null });
    expect(service.contextFor('a', 's')).not.to.have.property('user');
    expect(changes).to.equal(2);
  });
});
