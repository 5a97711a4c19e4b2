import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  CLIENT_MAX_FRAME_BYTES,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  McError,
  SERVER_MAX_DEPTH,
  SERVER_MAX_FRAME_BYTES,
  SERVER_MAX_NODES,
  type ClientFrame,
  type ServerFrame,
} from '../../../sdk/protocol/index.ts';

const SLOT = { app: 'todo', x: 10, y: 20, width: 300, height: 200 };

function refused(result: ReturnType<typeof decodeClientFrame>, code: string) {
  assert.equal(result.ok, false, 'expected a refusal');
  if (result.ok) return undefined;
  assert.ok(result.error instanceof McError);
  assert.equal(result.error.code, code, result.error.message);
  return result;
}

describe('decodeClientFrame', () => {
  it('reads every client frame and round-trips it', () => {
    const frames: ClientFrame[] = [
      { t: 'join', id: 1, space: 'demo' },
      { t: 'leave', space: 'demo' },
      {
        t: 'edit',
        id: 2,
        space: 'demo',
        ops: [
          { slot: 'slot-1a2b3c4d', base: 0, set: { ...SLOT, config: { a: [1, 2] } } },
          { slot: 'todo-1', base: 7, set: { x: -5.5 } },
          { slot: 'chat-1', base: 3, remove: true },
        ],
      },
      { t: 'ping', id: 3 },
    ];
    for (const frame of frames) {
      const result = decodeClientFrame(encodeClientFrame(frame));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.frame, frame);
    }
  });

  it('refuses unknown kinds, unknown fields and claimed identity, naming the request id', () => {
    for (const frame of [
      { t: 'nope', id: 4 },
      { t: 'join', id: 4, space: 'demo', user: 'someone-else' },
      { t: 'edit', id: 4, space: 'demo', ops: [{ slot: 's', base: 0, set: { x: 1 }, by: 'x' }] },
    ]) {
      const result = refused(decodeClientFrame(JSON.stringify(frame)), 'MALFORMED_MESSAGE');
      assert.equal(result?.id, 4);
    }
  });

  it('refuses bad ids, bad numbers and ops with neither or both of set and remove', () => {
    for (const frame of [
      { t: 'join', id: 1, space: 'has space' },
      { t: 'join', id: 1, space: 'a.b' },
      { t: 'join', id: -1, space: 'demo' },
      { t: 'join', id: 1.5, space: 'demo' },
      { t: 'edit', id: 1, space: 'demo', ops: [] },
      { t: 'edit', id: 1, space: 'demo', ops: [{ slot: 's', base: 0 }] },
      { t: 'edit', id: 1, space: 'demo', ops: [{ slot: 's', base: 0, set: {}, remove: true }] },
      { t: 'edit', id: 1, space: 'demo', ops: [{ slot: 's', base: 0, set: { width: -1 } }] },
      {
        t: 'edit',
        id: 1,
        space: 'demo',
        ops: [{ slot: 's', base: 0, set: { app: 'Not An App' } }],
      },
      { t: 'edit', id: 1, space: 'demo', ops: [{ slot: 'a b', base: 0, remove: true }] },
      {
        t: 'edit',
        id: 1,
        space: 'demo',
        ops: Array(65).fill({ slot: 's', base: 0, remove: true }),
      },
    ]) {
      refused(decodeClientFrame(JSON.stringify(frame)), 'MALFORMED_MESSAGE');
    }
    // Infinity cannot be written in JSON; 1e999 parses to it.
    refused(
      decodeClientFrame(
        '{"t":"edit","id":1,"space":"d","ops":[{"slot":"s","base":0,"set":{"x":1e999}}]}',
      ),
      'MALFORMED_MESSAGE',
    );
  });

  it('refuses what is not a JSON object frame', () => {
    for (const text of ['', 'not json', '[]', 'null', '42', '"join"', '{"t":"ping","id":1']) {
      const result = refused(decodeClientFrame(text), 'MALFORMED_MESSAGE');
      assert.equal(result?.id, undefined);
    }
  });

  it('refuses an oversized frame before parsing it, by its UTF-8 length', () => {
    const pad = (n: number, char: string) => `{"t":"ping","id":1,"x":"${char.repeat(n)}"}`;
    refused(decodeClientFrame(pad(SERVER_MAX_FRAME_BYTES, 'a')), 'PAYLOAD_TOO_LARGE');
    // Fewer UTF-16 units than the bound, more UTF-8 bytes (3 bytes each).
    const wide = pad(Math.ceil(SERVER_MAX_FRAME_BYTES / 2), '€');
    assert.ok(wide.length < SERVER_MAX_FRAME_BYTES);
    refused(decodeClientFrame(wide), 'PAYLOAD_TOO_LARGE');
    // Under the bound in bytes, it is read (and refused for its unknown field, not its size).
    refused(decodeClientFrame(pad(SERVER_MAX_FRAME_BYTES / 4, '€')), 'MALFORMED_MESSAGE');
  });

  it('refuses deep nesting without building it, and counts brackets in strings as text', () => {
    const deep = (n: number) =>
      `{"t":"edit","id":9,"space":"d","ops":[{"slot":"s","base":0,"set":{"config":${'['.repeat(n)}${']'.repeat(n)}}}]}`;
    // 30,000 deep fits the byte bound: refused for its depth, with its request id.
    assert.ok(deep(30_000).length < SERVER_MAX_FRAME_BYTES);
    assert.equal(refused(decodeClientFrame(deep(30_000)), 'MALFORMED_MESSAGE')?.id, undefined);
    const tooDeep = refused(decodeClientFrame(deep(SERVER_MAX_DEPTH)), 'MALFORMED_MESSAGE');
    assert.match(tooDeep?.error.message ?? '', /deeper/);
    assert.ok(decodeClientFrame(deep(SERVER_MAX_DEPTH - 6)).ok);
    const inString = `{"t":"edit","id":1,"space":"d","ops":[{"slot":"s","base":0,"set":{"config":"${'[{'.repeat(1000)}\\""}}]}`;
    assert.ok(decodeClientFrame(inString).ok);
  });

  it('refuses too many values', () => {
    const many = JSON.stringify({
      t: 'edit',
      id: 1,
      space: 'd',
      ops: [{ slot: 's', base: 0, set: { config: Array(10_001).fill(0) } }],
    });
    refused(decodeClientFrame(many), 'MALFORMED_MESSAGE');
  });
});

describe('decodeServerFrame', () => {
  it('reads every server frame and round-trips it', () => {
    const by = { user: 'ann', device: 'dev-12345678' };
    const frames: ServerFrame[] = [
      {
        t: 'welcome',
        v: 1,
        user: 'ann',
        device: 'dev-12345678',
        heartbeatMs: 15_000,
        limits: { maxFrameBytes: SERVER_MAX_FRAME_BYTES, ratePerSec: 50 },
      },
      { t: 'snapshot', id: 1, space: 'demo', rev: 3, slots: [{ slot: 'a', rev: 2, fields: SLOT }] },
      { t: 'ack', id: 2, rev: 4, lost: [{ slot: 'a', fields: ['x'] }] },
      { t: 'pong', id: 3 },
      {
        t: 'changed',
        space: 'demo',
        rev: 4,
        slots: [
          { slot: 'a', rev: 4, set: { x: 1 } },
          { slot: 'b', rev: 4, removed: true },
        ],
        by,
      },
      { t: 'lost', space: 'demo', slot: 'a', fields: ['x', 'y'], by },
      { t: 'error', id: 5, code: 'NOT_FOUND', message: 'no such space' },
      { t: 'error', code: 'RATE_LIMITED', message: 'slow down' },
      { t: 'gap', reason: 'slow-reader' },
    ];
    for (const frame of frames) {
      const result = decodeServerFrame(encodeServerFrame(frame));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.frame, frame);
    }
  });

  it("reads an event by a user's device or by the app's backend, nothing else", () => {
    const event = { t: 'event', space: 'demo', epoch: 'e1', offset: 3, msgId: 'msg-12345678' };
    const base = { ...event, app: 'chat', topic: 'chat.message.sent', data: '{}' };
    for (const by of [{ user: 'ann', device: 'dev-12345678' }, { backend: true }]) {
      const result = decodeServerFrame(JSON.stringify({ ...base, by }));
      assert.ok(result.ok, JSON.stringify(result));
      assert.deepEqual(result.frame, { ...base, by });
    }
    for (const by of [{ backend: false }, { backend: 'yes' }, { user: 'ann' }, {}, null]) {
      assert.equal(
        decodeServerFrame(JSON.stringify({ ...base, by })).ok,
        false,
        JSON.stringify(by),
      );
    }
  });

  it('drops fields a newer server adds, and refuses unknown kinds', () => {
    const result = decodeServerFrame('{"t":"pong","id":1,"extra":true}');
    assert.ok(result.ok);
    assert.deepEqual(result.frame, { t: 'pong', id: 1 });
    assert.equal(decodeServerFrame('{"t":"surprise"}').ok, false);
  });

  it('reads a snapshot with more values than a client frame may hold', () => {
    // Two slots whose configs each hold what an edit may carry: the snapshot has both.
    const config = Array(SERVER_MAX_NODES - 100).fill(0);
    const slots = [1, 2].map((i) => ({ slot: `s${i}`, rev: i, fields: { ...SLOT, config } }));
    const text = JSON.stringify({ t: 'snapshot', id: 1, space: 'd', rev: 2, slots });
    const result = decodeServerFrame(text);
    assert.ok(result.ok, result.ok ? '' : result.error.message);
  });

  it('reads frames larger than a client may send, up to its own bound', () => {
    const slots = Array.from({ length: 200 }, (_, i) => ({
      slot: `s${i}`,
      rev: i,
      fields: { ...SLOT, config: { text: 'x'.repeat(400) } },
    }));
    const text = JSON.stringify({ t: 'snapshot', id: 1, space: 'd', rev: 200, slots });
    assert.ok(text.length > SERVER_MAX_FRAME_BYTES);
    assert.ok(decodeServerFrame(text).ok);
    const huge = `{"t":"gap","reason":"${'x'.repeat(CLIENT_MAX_FRAME_BYTES)}"}`;
    const result = decodeServerFrame(huge);
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.error.code, 'PAYLOAD_TOO_LARGE');
  });
});
