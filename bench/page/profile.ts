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

/**
 * ns per call of a synchronous `fn`: the fastest of several short runs, so time the thread
 * spent descheduled on a busy machine does not count (these are CPU costs, not latencies).
 */
function time(fn: (i: number) => void, n = 2000, runs = 15): number {
  for (let i = 0; i < 2000; i++) fn(i);
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(r * n + i);
    best = Math.min(best, (performance.now() - t0) / n);
  }
  return best * 1e6;
}

/** Like {@link time}, with a microtask turn after each call (the broker and SDK flush on one). */
async function timeTurns(
  fn: (i: number) => void,
  n = 1000,
  runs = 15,
  warm = 1000,
): Promise<number> {
  for (let i = 0; i < warm; i++) {
    fn(i);
    await null;
  }
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      fn(r * n + i);
      await null;
    }
    best = Math.min(best, (performance.now() - t0) / n);
  }
  return best * 1e6;
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

/** ns per refused event, fastest of `runs` fresh flooders (990 refusals each). */
function refusedCost(violation: (v: unknown) => void, runs = 10): number {
  let best = Number.POSITIVE_INFINITY;
  const flood = (i: number) => `[{"op":"pub","topic":"benchf.flood.sent","data":${i}}]`;
  for (let r = 0; r < runs; r++) {
    const broker = new Broker({ violation });
    broker.register(manifest('benchf', 'nobody'));
    const f = new FakePort();
    broker.attach('f', 'benchf', f);
    for (let i = 0; i < DEFAULT_LIMITS.burst; i++) f.deliver(flood(i));
    const t0 = performance.now();
    for (let i = 0; i < 990; i++) f.deliver(flood(i));
    best = Math.min(best, (performance.now() - t0) / 990);
  }
  return best * 1e6;
}

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
    (await timeTurns(() => a.deliver(big), 3, 15, 5)) / 1024;

  // A flooder with default limits: 500 accepted (burst), then refusals until suspension;
  // once with a listener that only counts, once forwarding each violation over comlink the
  // way broker-worker.ts does.
  const { port1, port2 } = new MessageChannel();
  let forwarded = 0;
  Comlink.expose({ violation: () => forwarded++ }, port1);
  const remote = Comlink.wrap<{ violation(v: unknown): void }>(port2);
  let counted = 0;
  out['broker: one refused (rate-limited) event, violation listener only counts'] = refusedCost(
    () => counted++,
  );
  out['broker: one refused event, violation forwarded by comlink (as broker-worker.ts does)'] =
    refusedCost((v) => void remote.violation(v), 3);
  out['(violations reported per flood run before suspension)'] = counted / 10;
  await new Promise((r) => setTimeout(r, 200));
  remote[Comlink.releaseProxy]();
  port1.close();
  void forwarded;

  // The SDK's share: one publish (validate, stringify, batch, post) and one delivery.
  const port = new FakePort();
  const client = new Client({
    port: port as unknown as MessagePort,
    context: { appId: 'benchb', slotId: 's', theme: 'light', locale: 'en' },
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
