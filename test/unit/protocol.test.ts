import { expect } from '@open-wc/testing';

import {
  checkBounds,
  ClientOpSchema,
  DEFAULT_LIMITS,
  isPattern,
  isTopic,
  matchTopic,
  McError,
  patternCovers,
  serializeError,
  toMcError,
  type AppLimits,
} from '../../sdk/protocol/index.ts';
import { guardHotOp } from '../../sdk/protocol/guard-hot-op.ts';
import { decodeBatch } from '../../shell/broker/decode.ts';
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

  it('matches a pattern without `*` only to the same topic', () => {
    expect(matchTopic('calendar.date.selected', 'calendar.date.selected')).to.equal(true);
    expect(matchTopic('calendar.date.selected', 'calendar.date.selectedx')).to.equal(false);
    expect(matchTopic('calendar.date', 'calendar.date.selected')).to.equal(false);
    // A `*` inside a segment is not a wildcard.
    expect(matchTopic('calendar.da*.selected', 'calendar.date.selected')).to.equal(false);
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

describe('guardHotOp', () => {
  const long = `app.${'a'.repeat(30)}.${Array.from({ length: 4 }, () => 'b'.repeat(32)).join('.')}`;
  /** Operations as a widget could send them (JSON text), good and hostile. */
  const table: string[] = [
    '{"op":"pub","topic":"cal.date.selected"}',
    '{"op":"pub","topic":"cal.date.selected","data":{"date":"2026-11-24"}}',
    '{"op":"pub","topic":"cal.date.selected","data":null}',
    '{"op":"pub","topic":"cal.date.selected","data":[1,2,{"a":"b"}]}',
    '{"data":1,"topic":"cal.a-b.c_d.e.f.g","op":"pub"}',
    '{"op":"pub","topic":"cal.date.selected","data":1,"source":"todo"}',
    '{"op":"pub","topic":"cal.date.selected","__proto__":{"source":"todo"}}',
    '{"op":"pub","topic":"cal.date.selected","constructor":1}',
    '{"op":"pub","topic":"cal.date.selected","data":1,"id":1}',
    '{"op":"pub"}',
    '{"op":"pub","data":1}',
    '{"op":"pub","topic":null}',
    '{"op":"pub","topic":1}',
    '{"op":"pub","topic":["cal.date.selected"]}',
    '{"op":"pub","topic":"cal.date"}',
    '{"op":"pub","topic":"Cal.date.selected"}',
    '{"op":"pub","topic":"cal.*.selected"}',
    '{"op":"pub","topic":"cal..selected"}',
    '{"op":"pub","topic":"cal.date.selected.a.b.c.d"}',
    '{"op":"pub","topic":" cal.date.selected"}',
    '{"op":"pub","topic":"cal.date.selected\\n"}',
    `{"op":"pub","topic":"${long}"}`,
    `{"op":"pub","topic":"${long}x"}`,
    `{"op":"pub","topic":"a.b.${'c'.repeat(200)}"}`,
    '{"op":"PUB","topic":"cal.date.selected"}',
    '{"op":["pub"],"topic":"cal.date.selected"}',
    '{"topic":"cal.date.selected"}',
    '{"op":"ack","n":1}',
    '{"op":"ack","n":1000000}',
    '{"n":5,"op":"ack"}',
    '{"op":"ack","n":1000001}',
    '{"op":"ack","n":0}',
    '{"op":"ack","n":-1}',
    '{"op":"ack","n":1.5}',
    '{"op":"ack","n":1e400}',
    '{"op":"ack","n":"1"}',
    '{"op":"ack","n":null}',
    '{"op":"ack"}',
    '{"op":"ack","n":1,"extra":true}',
    '{"op":"ack","n":1,"__proto__":null}',
    '{"op":"ack","n":1,"data":1}',
    '[{"op":"ack","n":1}]',
    '"pub"',
    'null',
    '1',
    '[]',
    '{}',
  ];

  it('accepts exactly the pub and ack operations the schema accepts', () => {
    for (const text of table) {
      const item = JSON.parse(text) as unknown;
      const guard = guardHotOp(item);
      const zod = ClientOpSchema.safeParse(item);
      const hot = zod.success && (zod.data.op === 'pub' || zod.data.op === 'ack');
      expect(guard !== null, text).to.equal(hot);
      if (guard) expect(guard, text).to.deep.equal(zod.data);
    }
  });

  it('leaves every other operation to the schema', () => {
    for (const op of [
      { op: 'sub', id: 1, pattern: 'cal.*.*' },
      { op: 'cancel', id: 1 },
      { op: 'set', value: 1 },
      { op: 'get', id: 1, app: 'cal' },
      { op: 'watch', id: 1, app: 'cal' },
    ]) {
      expect(ClientOpSchema.safeParse(op).success).to.equal(true);
      expect(guardHotOp(op)).to.equal(null);
    }
  });

  it('never accepts what JSON cannot make and the schema or the bounds refuse', () => {
    class Envelope {
      op = 'pub';
      topic = 'cal.date.selected';
    }
    const inherited = Object.create({ source: 'todo' }) as Record<string, unknown>;
    Object.assign(inherited, { op: 'pub', topic: 'cal.date.selected' });
    const nullProto = Object.assign(Object.create(null) as object, {
      op: 'pub',
      topic: 'cal.date.selected',
    });
    expect(guardHotOp(new Envelope())).to.equal(null);
    expect(guardHotOp(inherited)).to.equal(null);
    expect(guardHotOp(Object.assign(['x'], { op: 'pub', topic: 'cal.date.selected' }))).to.equal(
      null,
    );
    // A null prototype is what a JSON-like object without Object.prototype looks like; the
    // schema takes it, and so does the guard.
    expect(ClientOpSchema.safeParse(nullProto).success).to.equal(true);
    expect(guardHotOp(nullProto)).to.not.equal(null);
  });
});

describe('decodeBatch', () => {
  const limits = (extra: Partial<AppLimits> = {}): AppLimits => ({ ...DEFAULT_LIMITS, ...extra });
  /** The decoder before the guard: bounds over the whole operation, then the schema. */
  function reference(item: unknown, l: AppLimits): string {
    const broken = checkBounds(item, l.maxDepth + 1, l.maxNodes);
    if (broken) return `bounds:${broken}`;
    const result = ClientOpSchema.safeParse(item);
    return result.success ? `ok:${JSON.stringify(result.data)}` : 'malformed';
  }
  function decoded(item: unknown, l: AppLimits): string {
    const { ops, rejected } = decodeBatch(JSON.stringify([item]), l);
    if (ops[0]) return `ok:${JSON.stringify(ops[0])}`;
    return rejected[0]!.kind === 'bounds'
      ? `bounds:${/exceeds (\w+)/.exec(rejected[0]!.detail)![1]}`
      : 'malformed';
  }
  const nest = (depth: number): unknown => (depth === 0 ? 1 : { a: nest(depth - 1) });

  it('gives the verdict of bounds-then-schema for pub and ack at every limit', () => {
    const items: unknown[] = [
      { op: 'pub', topic: 'cal.date.selected' },
      { op: 'pub', topic: 'cal.date.selected', data: 1 },
      { op: 'pub', topic: 'cal.date.selected', data: 'x' },
      { op: 'pub', topic: 'cal.date.selected', data: [] },
      { op: 'pub', topic: 'cal.date.selected', data: {} },
      { op: 'pub', topic: 'cal.date.selected', data: [1, 2, 3, 4] },
      { op: 'pub', topic: 'cal.date.selected', data: nest(1) },
      { op: 'pub', topic: 'cal.date.selected', data: nest(2) },
      { op: 'pub', topic: 'cal.date.selected', data: nest(3) },
      { op: 'pub', topic: 'cal.date.selected', data: Array.from({ length: 20 }, () => [1]) },
      { op: 'pub', topic: 'cal.date.selected', data: nest(40), source: 'x' },
      { op: 'pub', topic: 'cal.nope', data: nest(40) },
      { op: 'ack', n: 3 },
      { op: 'ack', n: 0 },
      { op: 'sub', id: 1, pattern: 'cal.*.*' },
    ];
    for (const maxDepth of [1, 2, 3, 32]) {
      for (const maxNodes of [1, 2, 3, 4, 5, 20, 21, 22, 10_000]) {
        const l = limits({ maxDepth, maxNodes });
        for (const item of items) {
          const label = `${JSON.stringify(item).slice(0, 80)} depth ${maxDepth} nodes ${maxNodes}`;
          expect(decoded(item, l), label).to.equal(reference(item, l));
        }
      }
    }
  });

  it('refuses a 100,000-deep payload in a pub without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const { ops, rejected } = decodeBatch(
      `[{"op":"pub","topic":"cal.date.selected","data":${deep}}]`,
      limits(),
    );
    expect(ops).to.have.length(0);
    expect(rejected[0]).to.include({ kind: 'bounds' });
  });
});
