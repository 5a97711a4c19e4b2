import { connect as penpalConnect, WindowMessenger, type RemoteProxy } from 'penpal';

import { Client } from './client.ts';
import { McError } from './protocol/errors.ts';
import { decodeFrameParams, type HostMethods } from './protocol/handshake.ts';
import { PROTOCOL_VERSION } from './protocol/version.ts';

/** Options of {@link connect}. */
export interface ConnectOptions {
  /** How long to wait for the host before rejecting with `HANDSHAKE_TIMEOUT`. */
  timeoutMs?: number;
}

/** Default deadline for the whole handshake. */
export const CONNECT_TIMEOUT_MS = 10_000;

/**
 * Connects this widget to the microcanvas host that framed it: a penpal handshake with the
 * parent window (only at the host origin given in the URL fragment), then `hello` with the
 * mount nonce, which hands back a private port to the broker.
 */
export async function connect(options: ConnectOptions = {}): Promise<Client> {
  const params = decodeFrameParams(location.hash);
  if (window.parent === window || !params) {
    throw new McError('NOT_EMBEDDED', 'not framed by a microcanvas host');
  }
  const timeout = options.timeoutMs ?? CONNECT_TIMEOUT_MS;
  const messenger = new WindowMessenger({
    remoteWindow: window.parent,
    allowedOrigins: [params.hostOrigin],
  });
  // A null-prototype table: inherited names such as `constructor` are not callable.
  const methods = Object.create(null) as Record<string, () => string>;
  methods.ping = () => 'pong';
  const connection = penpalConnect<HostMethods>({ messenger, methods, timeout });
  try {
    const remote: RemoteProxy<HostMethods> = await connection.promise;
    const reply = await remote.hello(params.nonce, PROTOCOL_VERSION);
    return new Client(reply.port, reply.context);
  } catch (error) {
    connection.destroy();
    const { code, message } = error as { code?: string; message?: string };
    if (code === 'CONNECTION_TIMEOUT' || code === 'METHOD_CALL_TIMEOUT') {
      throw new McError('HANDSHAKE_TIMEOUT', `no answer from the host within ${timeout} ms`);
    }
    // The host refuses with { code, message }; only a version mismatch needs telling apart.
    throw new McError(code === 'PROTOCOL_MISMATCH' ? code : 'HANDSHAKE_REFUSED', String(message));
  }
}
