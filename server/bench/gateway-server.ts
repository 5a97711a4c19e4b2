/**
 * The server process of the gateway bench (server/bench/gateway.ts forks it): the real
 * microcanvas server (embedded engine in memory, registry, tokens, gateway) with the app
 * `bench` whose backend is MC_BENCH_BACKEND, loopback allow-listed and the rate limits out of
 * the way. Reports its URL and an identity token minted by POST /tokens/identity over IPC.
 * MC_BENCH_ASSERTION_REUSE_MS sets the gateway's assertionReuseMs (default 0).
 */
import { appEntry, identityToken, startGatewayServer } from '../../test/server/helpers/gateway.ts';

/** Messages this process sends to the bench. */
export type FromGateway = { readonly t: 'ready'; readonly url: string; readonly token: string };

const backend = process.env.MC_BENCH_BACKEND!;
const unlimited = { perSec: 1e9, burst: 1e9 };
const server = await startGatewayServer(
  [appEntry('bench', `${backend}/v1`, [{ path: '/echo', methods: ['GET', 'POST'] }])],
  {
    gatewayAllow: ['127.0.0.0/8'],
    gateway: {
      appRate: unlimited,
      userRate: unlimited,
      assertionReuseMs: Number(process.env.MC_BENCH_ASSERTION_REUSE_MS ?? 0),
    },
  },
);
const ready = async () =>
  process.send!({
    t: 'ready',
    url: server.url,
    token: await identityToken(server, 'bench', 'bench-user'),
  } satisfies FromGateway);
await ready();
process.on('message', async (message: { t: string }) => {
  if (message.t === 'token') await ready();
  if (message.t === 'stop') {
    await server.close();
    process.exit(0);
  }
});
