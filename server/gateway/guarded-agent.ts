import { isIP } from 'node:net';

import { Agent, buildConnector } from 'undici';

import type { AddressGuard } from './address-guard.ts';

/** Time limits of the connections to backends. */
export interface AgentTimeouts {
  readonly connectTimeoutMs: number;
  /** From the request sent to the response's headers. */
  readonly headersTimeoutMs: number;
  /** Between two chunks of a response body. */
  readonly bodyTimeoutMs: number;
}

/**
 * The undici Agent the gateway forwards with: one pool per backend origin (keep-alive, so a
 * request does not pay a TCP handshake), every connection checked by `guard` at three
 * points: a literal address before dialling, each address a name resolves to (the lookup
 * hook, so a DNS answer cannot switch to 127.0.0.1 between a check and the connect), and
 * the peer address of the connected socket, in case anything slipped past the first two.
 */
export function createGuardedAgent(guard: AddressGuard, timeouts: AgentTimeouts): Agent {
  const connect = buildConnector({ timeout: timeouts.connectTimeoutMs, lookup: guard.lookup });
  const guarded: buildConnector.connector = (options, callback) => {
    const host = options.hostname.startsWith('[')
      ? options.hostname.slice(1, -1)
      : options.hostname;
    if (isIP(host) !== 0 && !guard.allows(host)) {
      callback(guard.refusal(host, host), null);
      return;
    }
    connect(options, (error, socket) => {
      if (error !== null) {
        callback(error, null);
        return;
      }
      const peer = socket.remoteAddress;
      if (peer === undefined || !guard.allows(peer)) {
        socket.destroy();
        callback(guard.refusal(host, peer), null);
        return;
      }
      callback(null, socket);
    });
  };
  return new Agent({
    connect: guarded,
    headersTimeout: timeouts.headersTimeoutMs,
    bodyTimeout: timeouts.bodyTimeoutMs,
    keepAliveTimeout: 4_000,
    // Per backend origin: a hanging backend fills its own pool, never another app's.
    connections: 128,
  });
}
