import { expect } from '@open-wc/testing';

import { HostContextPatchSchema, StorageKeySchema } from '../../sdk/protocol/index.ts';
import { checkContextPatch } from '../../shell/services/context-guard.ts';
import { parseStorageKey } from '../../shell/services/storage-service.ts';

function viaSchema(input: unknown) {
  const result = HostContextPatchSchema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0]!;
  return { ok: false, issue: { path: issue.path, message: issue.message } };
}

const ANY: unknown[] = [
  undefined,
  null,
  0,
  1.5,
  NaN,
  Infinity,
  true,
  '',
  'x',
  [],
  ['x'],
  {},
  { a: 1 },
  Object.create(null),
  new Date(0),
  new Map(),
  () => 1,
  10n,
];

const many = (n: number) =>
  Object.fromEntries(Array.from({ length: n }, (_, i) => [`--mc-t${i}`, 'red']));

const FIELD: Record<string, unknown[]> = {
  theme: ['light', 'dark', 'blue', 'Light'],
  locale: ['en', 'en-GB', 'e', 'x'.repeat(35), 'x'.repeat(36), 'en_GB', 'zh-Hant-TW', '  '],
  user: [
    { id: 'u', name: 'n' },
    { id: '', name: 'n' },
    { id: 'u' },
    { id: 'u', name: 'x'.repeat(129) },
    { id: 'u', name: 'n', role: 'admin' },
    { id: 1, name: 'n' },
  ],
  tokens: [
    { '--mc-accent': '#f00' },
    { '--mc-accent': 'red;x' },
    { '--mc-accent': '<b>' },
    { '--mc-accent': 'x'.repeat(201) },
    { '--mc-accent': 1 },
    { color: 'red' },
    { '--mc-Accent': 'red' },
    { '--mc-a': 'red', bad: 'x', '--mc-b': '{' },
    many(64),
    many(65),
    { ...many(65), bad: 1 },
    { [Symbol('s')]: 'red' },
    Object.assign(Object.create(null), { '--mc-a': 'red' }),
  ],
  extra: [1],
  __proto__: [{ theme: 'dark' }],
};

function cases(): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (const [field, values] of Object.entries(FIELD)) {
    for (const value of [...ANY, ...values]) {
      const input: Record<string, unknown> = {};
      Object.defineProperty(input, field, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
      out.push(input);
    }
  }
  out.push({ theme: 'blue', locale: 'e' });
  out.push({ extra: 1, locale: 'e' });
  out.push({ theme: 'dark', locale: 'de', user: null, tokens: { '--mc-x': 'blue' } });
  return out;
}

describe('checkContextPatch (hand-written HostContextPatchSchema)', () => {
  it('gives what HostContextPatchSchema gives: the value, or the first issue', () => {
    let accepted = 0;
    let refused = 0;
    for (const input of [...cases(), ...ANY]) {
      const expected = viaSchema(input);
      const actual = checkContextPatch(input);
      const label =
        typeof input === 'object' && input ? Object.keys(input).join(',') : String(input);
      expect(actual, label).to.deep.equal(expected);
      if (expected.ok) accepted++;
      else refused++;
    }
    expect(accepted).to.be.greaterThan(10);
    expect(refused).to.be.greaterThan(60);
  });
});

describe('parseStorageKey (hand-written StorageKeySchema)', () => {
  it('accepts exactly what the schema accepts', () => {
    const keys: unknown[] = [
      ...ANY,
      'k',
      ' ',
      '~',
      'a'.repeat(128),
      'a'.repeat(129),
      'é',
      'a\nb',
      'a\u007f',
      'a\u0000',
      'draft:1',
    ];
    let accepted = 0;
    for (const key of keys) {
      const schema = StorageKeySchema.safeParse(key);
      let ours: unknown;
      try {
        ours = parseStorageKey(key);
      } catch (error) {
        ours = error;
      }
      const label = typeof key === 'string' ? key : typeof key;
      if (schema.success) {
        accepted++;
        expect(ours, label).to.equal(schema.data);
      } else {
        expect(ours, label).to.be.instanceOf(Error);
      }
    }
    expect(accepted).to.equal(6);
  });
});
