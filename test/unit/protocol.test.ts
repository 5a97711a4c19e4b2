import { expect } from '@open-wc/testing';

import {
  checkBounds,
  isPattern,
  isTopic,
  matchTopic,
  McError,
  patternCovers,
  serializeError,
  toMcError,
} from '../../sdk/protocol/index.ts';
import { ManifestRegistry } from '../../shell/host/manifest-registry.ts';
import { allowAttribute, sandboxAttribute } from '../../shell/frames/sandbox.ts';

describe('topic grammar', () => {
  it('accepts source.entity.action topics in lowercase ASCII', () => {
    for (const t of ['calendar.date.selected', 'todo.item.completed', 'a.b.c.d', 'x1.y_2.z-3']) {
      expect(isTopic(t), t).to.equal(true);
    }
  });

  it('refuses everything else', () => {
    const bad = [
      'calendar.date',
      'Calendar.date.selected',
      'calendar.date.selected ',
      'calendar..selected',
      'calendar.*.selected',
      'calendar.**',
      'cаlendar.date.selected', // Cyrillic а
      'a.b.c.d.e.f.g',
      '__proto__.a.b',
      '',
      42,
    ];
    for (const t of bad) expect(isTopic(t), String(t)).to.equal(false);
    expect(isPattern('calendar.**')).to.equal(false);
    expect(isPattern('calendar.event.created ')).to.equal(false);
    expect(isPattern('*.*.*')).to.equal(true);
  });

  it('matches `*` as exactly one segment', () => {
    expect(matchTopic('calendar.*.selected', 'calendar.date.selected')).to.equal(true);
    expect(matchTopic('calendar.*', 'calendar.date.selected')).to.equal(false);
    expect(matchTopic('*.*.*', 'a.b.c.d')).to.equal(false);
  });

  it('checks that a requested pattern stays inside a granted one', () => {
    expect(patternCovers('calendar.*.*', 'calendar.date.selected')).to.equal(true);
    expect(patternCovers('calendar.*.*', 'calendar.*.selected')).to.equal(true);
    expect(patternCovers('calendar.date.selected', 'calendar.*.selected')).to.equal(false);
    expect(patternCovers('calendar.*.*', '*.*.*')).to.equal(false);
  });
});

describe('bounds', () => {
  it('rejects a 100,000-deep value without recursion', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { d: deep };
    expect(checkBounds(deep, 32, 10_000)).to.equal('depth');
  });

  it('rejects too many nodes and non-JSON types', () => {
    expect(checkBounds(new Array(20_000).fill(0), 32, 10_000)).to.equal('nodes');
    expect(checkBounds({ d: new Date() }, 32, 10)).to.equal('type');
    expect(checkBounds({ n: Number.NaN }, 32, 10)).to.equal('type');
    expect(checkBounds({ a: [1, { b: 'c' }] }, 32, 10)).to.equal(null);
  });
});

describe('McError', () => {
  it('crosses the wire as name, code and message only', () => {
    const json = JSON.parse(JSON.stringify(serializeError(new McError('NOT_PERMITTED', 'no'))));
    expect(json).to.deep.equal({ name: 'McError', code: 'NOT_PERMITTED', message: 'no' });
  });

  it('turns unknown shapes into McErrors with a fallback code', () => {
    expect(toMcError({ code: 'EVIL', message: 'x' }).code).to.equal('MALFORMED_MESSAGE');
    expect(toMcError(null, 'HANDSHAKE_REFUSED').code).to.equal('HANDSHAKE_REFUSED');
    expect(toMcError({ code: 'RATE_LIMITED', message: 'slow' })).to.include({
      code: 'RATE_LIMITED',
      message: 'slow',
    });
  });
});

describe('ManifestRegistry', () => {
  const good = { id: 'cal', name: 'Calendar', url: 'https://apps.example/cal/' };

  it('fills in deny-by-default rights', () => {
    const m = new ManifestRegistry().register(good);
    expect(m).to.deep.include({ publishes: [], subscribes: [], reads: [], permissions: [] });
  });

  it('names the bad field', () => {
    const registry = new ManifestRegistry();
    const attempts: Array<[unknown, string]> = [
      [{ ...good, id: 'Cal' }, '"id"'],
      [{ ...good, url: 'javascript:alert(1)' }, '"url"'],
      [{ ...good, url: 'http://evil.example/' }, '"url"'],
      [{ ...good, url: 'https://apps.example/#x' }, '"url"'],
      [{ ...good, publishes: ['todo.item.added'] }, '"publishes.0"'],
      [{ ...good, subscribes: ['cal.**'] }, '"subscribes.0"'],
      [{ ...good, permissions: ['top-navigation'] }, '"permissions.0"'],
      [{ ...good, sandbox: 'allow-same-origin' }, '(manifest)'],
      [{ ...good, id: 'host' }, '"id"'],
      [null, '(manifest)'],
    ];
    for (const [input, field] of attempts) {
      let caught: unknown;
      try {
        registry.register(input);
      } catch (error) {
        caught = error;
      }
      expect(caught, JSON.stringify(input)).to.be.instanceOf(McError);
      expect((caught as McError).code).to.equal('INVALID_MANIFEST');
      expect((caught as McError).message).to.contain(field);
    }
    expect(registry.all()).to.have.length(0);
  });
});

describe('sandbox policy', () => {
  it('never combines allow-scripts with allow-same-origin or any other token', () => {
    expect(sandboxAttribute().split(/\s+/)).to.deep.equal(['allow-scripts']);
  });

  it('denies every permission the manifest does not list', () => {
    const none = allowAttribute([]);
    expect(none).to.contain("camera 'none'");
    expect(none).to.contain("fullscreen 'none'");
    expect(none).not.to.contain("'src'");
    expect(allowAttribute(['camera'])).to.contain("camera 'src'");
    expect(allowAttribute(['camera'])).to.contain("geolocation 'none'");
  });
});
