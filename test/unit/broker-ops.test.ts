import { expect } from '@open-wc/testing';

import { BrokerOpSchema } from '../../sdk/protocol/broker-ops.ts';
import { decodeBrokerBatch, isBrokerOp } from '../../sdk/protocol/decode-broker-batch.ts';
import { encodeBrokerOp } from '../../sdk/protocol/encode-broker-op.ts';
import type { BrokerOp } from '../../sdk/protocol/index.ts';

describe('encodeBrokerOp', () => {
  const payloads: unknown[] = [
    undefined,
    null,
    0,
    -1.5,
    true,
    '',
    'quote " backslash \\ newline \n',
    '\u2028\ud83d\ude00',
    [],
    [1, 'a', null, { b: [] }],
    { nested: { deep: [1, { x: 'y' }] }, 'key "q"': 1 },
  ];

  it('writes events byte for byte as JSON.stringify does, and as the schema reads them', () => {
    for (const data of payloads) {
      const op: BrokerOp = { op: 'evt', topic: 'cal.date.selected', source: 'cal', data };
      const text = encodeBrokerOp(op);
      expect(text, String(data)).to.equal(JSON.stringify(op));
      const parsed = BrokerOpSchema.safeParse(JSON.parse(text));
      expect(parsed.success, text).to.equal(true);
    }
  });

  it('writes every other operation as JSON that the schema accepts', () => {
    const ops: BrokerOp[] = [
      { op: 'ok', id: 1 },
      { op: 'ok', id: 2, value: { app: 'cal', version: 0, value: null } },
      { op: 'state', id: 3, app: 'cal', version: 2, value: { open: 1 } },
      {
        op: 'err',
        id: 4,
        code: 'NOT_PERMITTED',
        message: 'state.get "cal": not permitted or does not exist',
        operation: 'state.get',
        target: 'cal',
      },
      { op: 'err', code: 'RATE_LIMITED', message: 'rate exceeded', topic: 'cal.date.selected' },
      { op: 'gap', dropped: 12 },
    ];
    for (const op of ops) {
      const text = encodeBrokerOp(op);
      expect(text).to.equal(JSON.stringify(op));
      expect(BrokerOpSchema.parse(JSON.parse(text))).to.deep.equal(op);
    }
  });
});

describe('isBrokerOp (the SDK guard) against BrokerOpSchema', () => {
  /** What a broker could send, good and broken. */
  const table: string[] = [
    '{"op":"evt","topic":"cal.date.selected","source":"cal"}',
    '{"op":"evt","topic":"cal.date.selected","source":"cal","data":{"a":1}}',
    '{"op":"evt","topic":"cal.date.selected","source":"cal","extra":1}',
    '{"op":"evt","topic":"cal.date","source":"cal"}',
    '{"op":"evt","topic":"Cal.date.selected","source":"cal"}',
    '{"op":"evt","topic":1,"source":"cal"}',
    '{"op":"evt","topic":"cal.date.selected"}',
    '{"op":"evt","topic":"cal.date.selected","source":1}',
    '{"op":"state","id":1,"app":"cal","version":0,"value":null}',
    '{"op":"state","id":1,"app":"cal","version":3,"value":{"x":[1]}}',
    '{"op":"state","id":1,"app":"cal","version":3}',
    '{"op":"state","id":1,"app":"cal","version":-1,"value":1}',
    '{"op":"state","id":1,"app":"cal","version":1.5,"value":1}',
    '{"op":"state","id":"1","app":"cal","version":1,"value":1}',
    '{"op":"state","app":"cal","version":1,"value":1}',
    '{"op":"state","id":1,"app":2,"version":1,"value":1}',
    '{"op":"ok","id":0}',
    '{"op":"ok","id":7,"value":[1]}',
    '{"op":"ok","id":-1}',
    '{"op":"ok","id":1e400}',
    '{"op":"ok","id":9007199254740992}',
    '{"op":"ok"}',
    '{"op":"err","id":1,"code":"NOT_PERMITTED","message":"no"}',
    '{"op":"err","id":1,"code":"NOT_PERMITTED","message":"no","operation":"subscribe","target":"a.*.*"}',
    '{"op":"err","id":1,"code":"NOT_PERMITTED","message":"no","operation":1}',
    '{"op":"err","id":1,"code":"NOT_PERMITTED","message":"no","target":["a"]}',
    '{"op":"err","code":"SUSPENDED","message":"suspended for flooding"}',
    '{"op":"err","code":"RATE_LIMITED","message":"x","topic":"cal.date.selected"}',
    '{"op":"err","code":"RATE_LIMITED","message":"x","topic":1}',
    '{"op":"err","code":"RATE_LIMITED"}',
    '{"op":"err","code":1,"message":"x"}',
    '{"op":"err","id":"1","code":"RATE_LIMITED","message":"x"}',
    '{"op":"gap","dropped":3}',
    '{"op":"gap","dropped":0}',
    '{"op":"gap","dropped":"3"}',
    '{"op":"gap"}',
    '{"op":"pub","topic":"cal.date.selected"}',
    '{"op":"EVT","topic":"cal.date.selected","source":"cal"}',
    '{"topic":"cal.date.selected","source":"cal"}',
    '[{"op":"ok","id":1}]',
    '"ok"',
    'null',
    '1',
    '{}',
  ];

  it('accepts exactly what the schema accepts', () => {
    for (const text of table) {
      const item = JSON.parse(text) as unknown;
      expect(isBrokerOp(item), text).to.equal(BrokerOpSchema.safeParse(item).success);
    }
  });

  it('takes the error code and operation as the broker wrote them (the one difference, on purpose)', () => {
    const unknownCode = { op: 'err', code: 'NOT_A_CODE', message: 'x' };
    expect(BrokerOpSchema.safeParse(unknownCode).success).to.equal(false);
    expect(isBrokerOp(unknownCode)).to.equal(true);
    const unknownOperation = { op: 'err', code: 'NOT_PERMITTED', message: 'x', operation: 'x' };
    expect(BrokerOpSchema.safeParse(unknownOperation).success).to.equal(false);
    expect(isBrokerOp(unknownOperation)).to.equal(true);
  });
});

describe('decodeBrokerBatch', () => {
  it('hands over the valid operations in order and counts every one for the ack', () => {
    const seen: BrokerOp[] = [];
    const raw = JSON.stringify([
      { op: 'ok', id: 1 },
      { op: 'ok', id: 'x' },
      'junk',
      { op: 'gap', dropped: 2 },
    ]);
    expect(decodeBrokerBatch(raw, (op) => seen.push(op))).to.equal(4);
    expect(seen).to.deep.equal([
      { op: 'ok', id: 1 },
      { op: 'gap', dropped: 2 },
    ]);
  });

  it('reads nothing from a message that is not a JSON array in a string', () => {
    const seen: BrokerOp[] = [];
    for (const raw of ['{"op":"ok","id":1}', 'not json', '[', [{ op: 'ok', id: 1 }], null, 1]) {
      expect(decodeBrokerBatch(raw, (op) => seen.push(op))).to.equal(0);
    }
    expect(seen).to.deep.equal([]);
    // Positive control: the same operation in a batch is read.
    expect(decodeBrokerBatch('[{"op":"ok","id":1}]', (op) => seen.push(op))).to.equal(1);
    expect(seen).to.have.length(1);
  });
});
