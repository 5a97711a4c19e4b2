import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as z from 'zod';

import { appSchemasIssue } from '../../../sdk/protocol/app-schemas.ts';
import {
  MAX_PATTERN_INPUT,
  patternIssue,
  payloadSchemaIssue,
} from '../../../sdk/protocol/payload-schema.ts';
import { compilePayloadSchema } from '../../../sdk/protocol/payload-validator.ts';
import { defineApp } from '../../../sdk/protocol/define-app.ts';
import { demoManifests } from '../../../demo/apps.ts';
import { DateSelected } from '../../../sample-apps/calendar/topics.ts';
import type { McError } from '../../../sdk/protocol/errors.ts';

/** What a zod schema becomes in a manifest: checked, then compiled. */
function fromZod(schema: z.ZodType) {
  const json = z.toJSONSchema(schema) as Record<string, unknown>;
  assert.equal(payloadSchemaIssue(json), null, JSON.stringify(json));
  return compilePayloadSchema(json);
}

describe('payload schemas from zod', () => {
  it('checks what z.toJSONSchema makes of common shapes, naming the path', () => {
    const check = fromZod(
      z.object({
        date: z.iso.date(),
        count: z.int().min(0).optional(),
        kind: z.enum(['day', 'week']),
        note: z.string().max(5).nullable(),
        tags: z.array(z.string().regex(/^[a-z]+$/)).max(3),
        at: z.tuple([z.number(), z.number()]).optional(),
        meta: z.record(z.string(), z.boolean()).optional(),
      }),
    );
    const good = { date: '2026-11-24', kind: 'day', note: null, tags: ['a'] };
    assert.equal(check(good), null);
    assert.equal(check({ ...good, count: 3, at: [1, 2], meta: { x: true } }), null);
    assert.equal(check({ ...good, date: 7 }), 'data.date: expected string, got number');
    assert.equal(
      check({ ...good, date: '2026-02-30' })?.slice(0, 27),
      'data.date: does not match ^',
    );
    assert.equal(check({ ...good, count: -1 }), 'data.count: expected >= 0');
    assert.equal(check({ ...good, count: 1.5 }), 'data.count: expected integer, got number');
    assert.equal(check({ ...good, kind: 'year' }), 'data.kind: expected one of "day", "week"');
    assert.equal(check({ ...good, note: 'toolong' }), 'data.note: expected at most 5 characters');
    assert.equal(check({ ...good, note: 7 }), 'data.note: expected string or null, got number');
    assert.equal(check({ ...good, tags: ['a', 'B'] }), 'data.tags[1]: does not match ^[a-z]+$');
    assert.equal(
      check({ ...good, tags: ['a', 'b', 'c', 'd'] }),
      'data.tags: expected at most 3 items',
    );
    assert.equal(check({ ...good, at: [1, 'x'] }), 'data.at[1]: expected number, got string');
    assert.equal(check({ ...good, at: [1, 2, 3] }), 'data.at: expected at most 2 items');
    assert.equal(check({ ...good, meta: { x: 1 } }), 'data.meta.x: expected boolean, got number');
    assert.equal(check({ kind: 'day', note: null, tags: [] }), 'data.date: required');
    assert.equal(check({ ...good, extra: 1 }), 'data.extra: not allowed');
    assert.equal(check({ ...good, 'a b': 1 }), 'data["a b"]: not allowed');
    assert.equal(check([good]), 'data: expected object, got array');
    assert.equal(check(null), 'data: expected object, got null');
  });

  it('checks unions (anyOf, oneOf) and literals', () => {
    const a = z.object({ k: z.literal('a') });
    const b = z.object({ k: z.literal('b'), v: z.number() });
    for (const check of [fromZod(z.union([a, b])), fromZod(z.discriminatedUnion('k', [a, b]))]) {
      assert.equal(check({ k: 'a' }), null);
      assert.equal(check({ k: 'b', v: 1 }), null);
      assert.match(check({ k: 'b' })!, /^data: matches none of (anyOf|oneOf)$/);
    }
    const one = compilePayloadSchema({ oneOf: [{ type: 'number' }, { type: 'integer' }] });
    assert.equal(one(1.5), null);
    assert.equal(one(1), 'data: matches more than one of oneOf');
    assert.equal(compilePayloadSchema(true)(1), null);
    assert.equal(compilePayloadSchema(false)(1), 'data: not allowed');
    assert.equal(compilePayloadSchema({ const: 3 }, 'state')(4), 'state: expected 3');
  });

  it('counts characters as code points and refuses long strings for a pattern', () => {
    assert.equal(compilePayloadSchema({ maxLength: 1 })('😀'), null);
    const check = compilePayloadSchema({ pattern: '^a+$' });
    assert.equal(check('a'.repeat(MAX_PATTERN_INPUT)), null);
    assert.equal(
      check('a'.repeat(MAX_PATTERN_INPUT + 1)),
      `data: longer than ${MAX_PATTERN_INPUT} characters, the limit for a pattern`,
    );
  });
});

describe('payloadSchemaIssue', () => {
  it('refuses what the broker would not check, naming where', () => {
    const issue = (schema: unknown) => payloadSchemaIssue(schema);
    assert.deepEqual(issue({ $ref: '#/x' }), {
      path: ['$ref'],
      message: 'unsupported keyword "$ref"',
    });
    assert.deepEqual(issue({ properties: { a: { not: {} } } }), {
      path: ['properties', 'a', 'not'],
      message: 'unsupported keyword "not"',
    });
    assert.deepEqual(issue({ type: 'date' })?.path, ['type']);
    assert.deepEqual(issue({ enum: [{}] })?.path, ['enum']);
    assert.deepEqual(issue({ anyOf: [] })?.path, ['anyOf']);
    assert.deepEqual(issue({ minLength: -1 })?.path, ['minLength']);
    assert.deepEqual(issue({ items: 3 })?.path, ['items']);
    assert.equal(issue({ title: 'x', description: 'y', format: 'date', default: 1 }), null);
    assert.deepEqual(
      issue(JSON.parse('{"__proto__": {}}'))?.message,
      'unsupported keyword "__proto__"',
    );
  });

  it('bounds size and depth, and survives cycles and deep nesting', () => {
    const big = { enum: Array.from({ length: 200 }, (_, i) => 'x'.repeat(40) + i) };
    assert.match(payloadSchemaIssue(big)!.message, /at most 8192 characters/);
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 17; i++) deep = { items: deep };
    assert.match(payloadSchemaIssue(deep)!.message, /nested deeper than 16/);
    const cyclic: Record<string, unknown> = {};
    cyclic.items = cyclic;
    assert.equal(payloadSchemaIssue(cyclic)!.message, 'must be JSON');
    let abyss: Record<string, unknown> = {};
    for (let i = 0; i < 100_000; i++) abyss = { items: abyss };
    assert.equal(payloadSchemaIssue(abyss)!.message, 'must be JSON');
    assert.equal(payloadSchemaIssue(10n)!.message, 'must be JSON');
  });

  it('checks a manifest’s schemas field for shape and size only', () => {
    assert.equal(appSchemasIssue({ topics: { 'a.b.c': { type: 'string' } }, state: true }), null);
    // What a schema contains is the broker's to check.
    assert.equal(appSchemasIssue({ topics: { 'a.b.c': { $ref: '#' } } }), null);
    assert.deepEqual(appSchemasIssue({ topics: { 'a.b': {} } })?.path, ['topics', 'a.b']);
    assert.deepEqual(appSchemasIssue({ topics: { 'a.b.c': 1 } })?.path, ['topics', 'a.b.c']);
    const big = { enum: Array.from({ length: 300 }, (_, i) => `value-${i}-${'x'.repeat(20)}`) };
    assert.deepEqual(appSchemasIssue({ state: big }), {
      path: ['state'],
      message: 'must be at most 8192 characters as JSON',
    });
    const cyclic: Record<string, unknown> = {};
    cyclic.items = cyclic;
    assert.equal(appSchemasIssue({ state: cyclic })?.message, 'must be JSON');
    assert.deepEqual(appSchemasIssue({ events: {} })?.path, ['events']);
    assert.deepEqual(appSchemasIssue([])?.path, []);
  });
});

describe('patternIssue (ReDoS)', () => {
  it('takes patterns with bounded backtracking', () => {
    for (const ok of [
      '^[a-z0-9-]+$',
      '^\\d{4}-\\d{2}-\\d{2}$',
      '\\d{4}-\\d{2}',
      '^[a-z]+-[a-z]+$',
      '^(?:red|green|blue)$',
      '^(?:\\+1)?\\d{10}$',
      '^[\\]()*+]+$',
      '^\\p{L}+$',
      '^.{1,64}$',
    ]) {
      assert.equal(patternIssue(ok), null, ok);
    }
    // What zod makes of z.iso.date() and z.uuid().
    for (const schema of [z.iso.date(), z.uuid()]) {
      const { pattern } = z.toJSONSchema(schema) as { pattern: string };
      assert.equal(patternIssue(pattern), null, pattern);
    }
  });

  it('refuses exponential and polynomial patterns, and what it cannot bound', () => {
    const refused: Array<[string, RegExp]> = [
      ['(a+)+$', /quantified group/],
      ['^(a|aa)*$', /quantified group/],
      ['^(?:ab){3}$', /quantified group/],
      ['(\\w+\\s?)*$', /quantified group/],
      ['[a-z]+-[a-z]+', /backtracking/],
      ['^\\d*\\d*\\d*x$', /backtracking/],
      ['^a|b*c*', /backtracking/],
      ['^(a)\\1$', /backreferences/],
      ['^(?<n>a)\\k<n>$', /groups/],
      ['^(?=a)a$', /groups/],
      ['^(?<!a)b$', /groups/],
      ['(', /not a valid/],
      ['a{2', /not a valid/],
      ['x'.repeat(257), /longer than 256/],
    ];
    for (const [source, why] of refused)
      assert.match(patternIssue(source) ?? 'accepted', why, source);
    // z.email() quantifies groups: not taken.
    const { pattern } = z.toJSONSchema(z.email()) as { pattern: string };
    assert.match(patternIssue(pattern)!, /quantified group/);
  });
});

describe('defineApp', () => {
  it('generates the manifest’s schemas with z.toJSONSchema, and they check payloads', () => {
    const calendar = defineApp({
      id: 'calendar',
      topics: { 'calendar.date.selected': z.object({ date: z.iso.date() }) },
      state: z.object({ selected: z.iso.date().nullable() }),
    });
    assert.equal(appSchemasIssue(calendar.schemas), null);
    const check = compilePayloadSchema(calendar.schemas.topics!['calendar.date.selected']!);
    assert.equal(check({ date: '2026-11-24' }), null);
    assert.equal(check({ date: 20261124 }), 'data.date: expected string, got number');
    const state = compilePayloadSchema(calendar.schemas.state!, 'state');
    assert.equal(state({ selected: null }), null);
    assert.match(state({ selected: 'soon' })!, /^state\.selected: does not match/);
  });

  it('refuses at once a schema the broker would not run', () => {
    assert.throws(
      () =>
        defineApp({ id: 'mail', topics: { 'mail.address.added': z.object({ to: z.email() }) } }),
      (error: McError) =>
        error.code === 'INVALID_ARGUMENT' &&
        /^topics\.mail\.address\.added\.properties\.to\.pattern: a quantified group/.test(
          error.message,
        ),
    );
  });
});

describe('the demo’s manifests', () => {
  it('give calendar.date.selected the JSON Schema of the calendar’s DateSelected', () => {
    const calendar = demoManifests('https://apps.example').find((m) => m.id === 'calendar')!;
    const { $schema, ...generated } = z.toJSONSchema(DateSelected) as Record<string, unknown>;
    assert.ok($schema);
    assert.deepEqual(calendar.schemas?.topics?.['calendar.date.selected'], generated);
    assert.equal(payloadSchemaIssue(generated), null);
  });
});
