import type { Msg, NatsConnection } from '@nats-io/transport-node';

/**
 * How long to wait for the server's answer to a `no_wait` pull, which normally comes within
 * milliseconds; no answer means the consumer is gone (JetStream ignores pulls for it).
 */
const PULL_TIMEOUT_MS = 3_000;

/**
 * One JetStream pull request with `no_wait`: the server sends what it has now (redeliveries
 * due first) and then a status message (404 no messages, 408 request timeout), so the call
 * returns at once. nats.js's `fetch` waits at least a second for a full batch, which a
 * dispatcher polling between other work cannot afford.
 */
export function pullNoWait(
  nc: NatsConnection,
  stream: string,
  consumer: string,
  batch: number,
  inbox: string,
): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const out: Msg[] = [];
    const finish = (error?: Error) => {
      clearTimeout(timer);
      sub.unsubscribe();
      if (error) reject(error);
      else resolve(out);
    };
    const sub = nc.subscribe(inbox, {
      callback: (error, msg) => {
        if (error) return finish(error);
        const code = msg.headers?.code ?? 0;
        // 503: nobody serves the pull subject, so the consumer (or its stream) is gone.
        if (code === 503) return finish(new Error('no responders: consumer missing'));
        if (code >= 400) return finish();
        // Status messages without data (100 heartbeats) are not deliveries.
        if (msg.reply === undefined || msg.reply === '') return;
        out.push(msg);
        if (out.length >= batch) finish();
      },
    });
    const timer = setTimeout(() => finish(new Error('pull timed out')), PULL_TIMEOUT_MS);
    nc.publish(
      `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
      JSON.stringify({ batch, no_wait: true }),
      { reply: inbox },
    );
  });
}
