/**
 * Where the time goes: the real broker, SDK client and codec pieces run on fake ports in
 * this page, timed per operation. No message crosses a thread here, so these are the CPU
 * costs microcanvas adds on top of the raw relays' hops.
 */
import * as Comlink from 'comlink';

import { Client } from '../../sdk/client.ts';
import { checkBounds, ClientOpSchema, DEFAULT_LIMITS } from '../../sdk/protocol/index.ts';
import type { BrokerPort } from '../../shell/broker/broker-port.ts';
import { Broker } from '../../shell/broker/broker.ts';
import { decodeBatch } from '../../shell/broker/decode.ts';

class FakePort implements BrokerPort {
  onmessage: ((event: MessageEvent) => void) | null = null;
  posted = 0;
  last = '';
  postMessage(message: string): void {
    this.posted++;
    this.last = message;
  }
  close(): void {}
  /** Delivers `data` as if it arrived on the port. */
  deliver(data: string): void {
    this.onmessage?.({ data } as MessageEvent);
  }
}

/** ns per call of a synchronous `fn`. */
function time(fn: (i: number) => void, n = 20_000): number {
  for (let i = 0; i < 2000; i++) fn(i);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn(i);
  return ((performance.now() - t0) / n) * 1e6;
}

/** ns per call of `fn` followed by a microtask turn (the broker and SDK flush on one). */
async function timeTurns(fn: (i: number) => void, n = 10_000, warm = 1000): Promise<number> {
  for (let i = 0; i < warm; i++) {
    fn(i);
    await null;
  }
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    fn(i);
    await null;
  }
  return ((performance.now() - t0) / n) * 1e6;
}

const manifest = (id: string, peer: string, limits = {}) => ({
  id,
  name: id,
  url: 'http://127.0.0.1/x.html',
  publishes: [`${id}.*.sent`],
  subscribes: [`${peer}.*.sent`],
  limits,
});

const HIGH = { eventsPerSecond: 100_000, burst: 1_000_000, bytesPerSecond: 256 * 1024 * 1024 };

/** Per-operation costs in ns, by name. */
export async function profileCosts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const pub = (i: number) => `{"op":"pub","topic":"bencha.ping.sent","data":${i}}`;
  const batch1 = (i: number) => `[${pub(i)}]`;
  const item = JSON.parse(pub(1)) as unknown;
  const limits = { ...DEFAULT_LIMITS, ...HIGH };

  out['raw relay work: JSON.parse + JSON.stringify of one envelope'] = time((i) =>
    JSON.stringify(JSON.parse(batch1(i))),
  );
  out['broker decode: JSON.parse of a one-op batch'] = time((i) => JSON.parse(batch1(i)));
  out['broker decode: checkBounds of one op'] = time(() => checkBounds(item, 33, 10_000));
  out['broker decode: zod ClientOpSchema.safeParse of one op'] = time(() =>
    ClientOpSchema.safeParse(item),
  );
  out['broker decode: decodeBatch of a one-op batch (all of the above)'] = time((i) =>
    decodeBatch(batch1(i), limits),
  );

  // The whole broker pass for one event: decode, grants, stamp, match, batch, post.
  const broker = new Broker();
  broker.register(manifest('bencha', 'benchb', HIGH));
  broker.register(manifest('benchb', 'bencha', HIGH));
  broker.register(manifest('benchf', 'nobody'));
  const a = new FakePort();
  const b = new FakePort();
  broker.attach('a', 'bencha', a);
  broker.attach('b', 'benchb', b);
  b.deliver('[{"op":"sub","id":1,"pattern":"bencha.ping.sent"}]');
  await null;
  out['broker: one-op batch in → event out to one subscriber (incl. flush)'] = await timeTurns(
    (i) => a.deliver(batch1(i)),
  );
  const big = `[${Array.from({ length: 1024 }, (_, i) => pub(i)).join(',')}]`;
  out['broker: per event of a 1024-op batch (delivered as one batch)'] =
    (await timeTurns(() => a.deliver(big), 50, 5)) / 1024;

  // A flooder with default limits: 500 accepted (burst), then refusals until suspension.
  let violations = 0;
  const counting = new Broker({ violation: () => violations++ });
  counting.register(manifest('benchf', 'nobody'));
  const f = new FakePort();
  counting.attach('f', 'benchf', f);
  for (let i = 0; i < DEFAULT_LIMITS.burst; i++)
    f.deliver(`[${pub(i).replace('bencha.ping', 'benchf.flood')}]`);
  const t0 = performance.now();
  const refused = 990;
  for (let i = 0; i < refused; i++) f.deliver(`[${pub(i).replace('bencha.ping', 'benchf.flood')}]`);
  out['broker: one refused (rate-limited) event, listener counting only'] =
    ((performance.now() - t0) / refused) * 1e6;
  out['(violations the broker reported for those refusals)'] = violations;

  // What each violation costs the Worker when the listener is a comlink proxy to the page.
  const { port1, port2 } = new MessageChannel();
  let received = 0;
  Comlink.expose({ violation: () => received++ }, port1);
  const remote = Comlink.wrap<{ violation(v: unknown): void }>(port2);
  const v = { app: 'benchf', connection: 'f', kind: 'rate-limited', detail: 'x', time: 0 };
  out['comlink proxy call per violation (sender side, no await)'] = time(
    () => void remote.violation(v),
    2000,
  );
  remote[Comlink.releaseProxy]();
  port1.close();
  void received;

  // The SDK's share: one publish (validate, stringify, batch, post) and one delivery.
  const port = new FakePort();
  const client = new Client(port as unknown as MessagePort, {
    appId: 'benchb',
    slotId: 's',
    theme: 'light',
    locale: 'en',
  });
  out['SDK: publish one event (incl. flush)'] = await timeTurns((i) =>
    client.publish('benchb.pong.sent', i),
  );
  let got = 0;
  client.subscribe('bencha.ping.sent', () => got++);
  port.deliver('[{"op":"ok","id":1}]');
  out['SDK: receive one event and call the handler'] = time((i) =>
    port.deliver(`[{"op":"evt","topic":"bencha.ping.sent","source":"bencha","data":${i}}]`),
  );
  client.close();
  return out;
}
