import { expect } from '@open-wc/testing';

import { ManifestSchema } from '../../sdk/protocol/index.ts';
import { checkManifest } from '../../shell/host/manifest-guard.ts';

/** What the schema says, in the guard's shape. */
function viaSchema(input: unknown) {
  const result = ManifestSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, issue: { path: issue.path, message: issue.message } };
}

const good = { id: 'cal', name: ' Calendar ', url: 'https://apps.example/cal/' };

/** Values of every kind, tried in every field. */
const ANY: unknown[] = [
  undefined,
  null,
  0,
  -1,
  1,
  1.5,
  2 ** 53,
  -(2 ** 53),
  NaN,
  Infinity,
  -Infinity,
  true,
  '',
  '   ',
  'x',
  'cal',
  [],
  [1],
  ['x'],
  {},
  { a: 1 },
  Object.create(null),
  new Date(0),
  new Map(),
  () => 1,
  Symbol('s'),
  10n,
];

/** Per field: values near its edges, good and bad. */
const FIELD: Record<string, unknown[]> = {
  id: ['Cal', 'host', 'cal-2', 'c', 'a'.repeat(32), 'a'.repeat(33), '1cal', 'cal.x', 'caL'],
  name: ['n', ' n ', 'x'.repeat(80), 'x'.repeat(81), ` ${'x'.repeat(80)} `, '\t\n'],
  url: [
    'not a url',
    'ftp://apps.example/',
    'http://evil.example/',
    'https://apps.example/#x',
    'https://apps.example/#',
    'http://localhost:8000/a',
    'http://127.0.0.2:8000/x',
    'http://[::1]/x',
    '  https://apps.example/x  ',
    'https://apps.exa\nmple/x',
    'HTTPS://APPS.EXAMPLE/',
    'https:apps.example',
    'https://',
    `https://apps.example/${'x'.repeat(2030)}`,
    `https://apps.example/${'x'.repeat(2040)}`,
    'javascript:alert(1)',
    'data:text/html,x',
  ],
  description: ['', 'd', 'x'.repeat(500), 'x'.repeat(501)],
  publishes: [
    ['cal.a.b'],
    ['todo.item.added'],
    ['cal.a.b', 'x.y.z'],
    ['cal.**'],
    ['cal.*.b'],
    ['cal.a'],
    [1],
    Array(65).fill('cal.a.b'),
    Array(64).fill('cal.a.b'),
    [`cal.${'a'.repeat(200)}.b`],
  ],
  subscribes: [['cal.**'], ['*.*.*'], ['a.b'], Array(65).fill('a.b.c'), [null]],
  reads: [['Todo'], ['todo'], ['todo', 1], Array(65).fill('a'), ['host']],
  permissions: [['camera'], ['top-navigation'], Array(9).fill('camera'), ['camera', 2]],
  services: [['resize'], ['teleport'], Array(6).fill('resize'), ['notify', 'modal', 'storage']],
  limits: [
    { burst: 3 },
    { maxDepth: 1.5 },
    { maxDepth: 0 },
    { maxDepth: 256 },
    { maxDepth: 257 },
    { eventsPerSecond: 0 },
    { eventsPerSecond: 0.5 },
    { eventsPerSecond: 100_001 },
    { burst: Infinity },
    { burst: '3' },
    { source: 1 },
    { source: 1, other: 2 },
    { maxNodes: 2 ** 60 },
    { maxNodes: -(2 ** 60) },
    { maxMessageBytes: 255 },
    { bytesPerSecond: 1023 },
    { maxSubscriptions: 10_001 },
    { burst: undefined },
    { maxDepth: 0, source: 1 },
  ],
  size: [
    { width: { min: -1 } },
    { width: { mode: 'content', max: 90 } },
    { height: { mode: 'auto' } },
    { width: { max: 0 } },
    { width: { max: 10_001 } },
    { width: { min: 1.5 } },
    { width: null },
    { width: { extra: 1 } },
    { depth: {} },
    { width: { max: undefined } },
    { width: undefined },
  ],
  shortcuts: [['K'], ['Ctrl+K'], ['F5'], [5], Array(17).fill('Ctrl+K'), ['Ctrl+Shift+K', 'Alt+F']],
  storage: [
    { quotaBytes: 0 },
    { quotaBytes: 2 ** 21 },
    { quotaBytes: -1 },
    {},
    { quotaBytes: 1, x: 1 },
  ],
  sync: [
    {},
    { publishes: ['cal.a.b'] },
    { publishes: ['cal.*.b'] },
    { publishes: ['todo.a.b'] },
    { publishes: ['cal.**'] },
    { subscribes: ['x.y.z'] },
    { state: true },
    { state: false },
    { state: 1 },
    { state: 'true' },
    { state: undefined },
    { publishes: undefined, subscribes: null },
    { other: 1 },
    { publishes: Array(65).fill('cal.a.b') },
    { __proto__: { state: true } },
  ],
  scopes: [
    ['items:read'],
    ['items:read', 'a.b_c-d'],
    ['Items'],
    ['1a'],
    [''],
    ['a'.repeat(64)],
    ['a'.repeat(65)],
    ['items read'],
    [1],
    Array(32).fill('x'),
    Array(33).fill('x'),
  ],
  schemas: [
    {},
    { topics: {} },
    { topics: { 'cal.a.b': { type: 'string' } } },
    { state: { type: 'object', properties: { n: { type: 'integer' } } } },
    { state: { x: 1 } },
    { state: { pattern: '(a+)+$' } },
    { topics: { 'cal.b': {} } },
    { topics: [] },
    { topics: undefined, state: undefined },
    { other: 1 },
  ],
  sandbox: ['allow-same-origin'],
  __proto__: [{ polluted: true }],
};

function cases(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [field, values] of Object.entries(FIELD)) {
    for (const value of [...ANY, ...values]) {
      const input: Record<string, unknown> = { ...good };
      // defineProperty, so that `__proto__` becomes an own key as JSON.parse makes it.
      Object.defineProperty(input, field, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      out.push(input);
    }
  }
  // Two bad fields at once: the first issue must be the same one.
  out.push({ ...good, id: 'Cal', name: '' });
  out.push({ ...good, sandbox: 1, name: '' });
  out.push({ ...good, publishes: ['x.y.z'], extra: 1 });
  out.push({ ...good, publishes: ['x.y.z'], storage: { quotaBytes: -1 } });
  out.push({ ...good, url: 'http://evil.example/', limits: { burst: 0 } });
  out.push({ ...good, shortcuts: ['K'], size: { width: { min: -1 } } });
  // Sync within the rights the manifest grants, and beyond them.
  const rights = { publishes: ['cal.*.*'], subscribes: ['todo.item.*', '*.*.x'] };
  for (const sync of [
    { publishes: ['cal.a.b', 'cal.*.c'], subscribes: ['todo.item.done', '*.*.x'], state: true },
    { publishes: ['cal.a.b'], subscribes: ['todo.*.done'] },
    { publishes: ['cal.a.b.c'] },
    { subscribes: ['todo.item.done', 'chat.a.b'] },
    { publishes: ['todo.item.done'] },
  ]) {
    out.push({ ...good, ...rights, sync });
  }
  out.push({ ...good, publishes: ['x.y.z'], sync: { publishes: ['x.y.z'] } });
  out.push({ ...good, sync: { subscribes: ['a.b.c'] }, extra: 1 });
  out.push({ ...good, scopes: ['Bad'], extra: 1 });
  out.push({ ...good, scopes: ['Bad'], sync: { state: 1 } });
  // Schemas for topics the manifest publishes, and for others.
  const typed = { publishes: ['cal.a.*'] };
  out.push({ ...good, ...typed, schemas: { topics: { 'cal.a.b': { type: 'string' } } } });
  out.push({ ...good, ...typed, schemas: { topics: { 'cal.a.b': true, 'cal.x.y': true } } });
  out.push({ ...good, ...typed, schemas: { topics: { 'cal.a.b': { x: 1 } } }, extra: 1 });
  out.push({ ...good, publishes: ['x.y.z'], schemas: { topics: { 'x.y.z': true } } });
  return out;
}

/** A readable label, whatever the values (bigint, symbols, functions). */
function labelOf(input: Record<string, unknown>): string {
  return Object.entries(input)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' ')
    .slice(0, 200);
}

describe('checkManifest (hand-written ManifestSchema)', () => {
  it('gives what ManifestSchema gives: the value, or the first issue with its message', () => {
    let accepted = 0;
    let refused = 0;
    for (const input of cases()) {
      const label = `${Object.keys(input).join(',')}: ${labelOf(input)}`;
      const expected = viaSchema(input);
      const actual = checkManifest(input);
      expect(actual, label).to.deep.equal(expected);
      if (expected.ok) accepted++;
      else refused++;
    }
    // Positive control: the table exercises both outcomes in numbers.
    expect(accepted).to.be.greaterThan(40);
    expect(refused).to.be.greaterThan(300);
  });

  it('refuses non-objects at the top as the schema does', () => {
    for (const input of ANY) expect(checkManifest(input)).to.deep.equal(viaSchema(input));
  });
});
