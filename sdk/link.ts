import { DENIED, McError, refusalMessage, type ErrorCode } from './protocol/errors.ts';
import type { AppContext } from './protocol/context.ts';
import type { ServiceMethods } from './protocol/services.ts';

/** Whether the host is answering: `away` after its heartbeats stopped while this page was visible. */
export type HostStatus = 'connected' | 'away';

/** What a link reports to its client after the handshake. */
export interface LinkSink {
  context(context: AppContext): void;
  host(status: HostStatus): void;
  /**
   * The broker was replaced: `port` is the session's channel to the new one. (Requests
   * already sent keep their deadlines; the new broker takes the port within milliseconds.)
   */
  port(port: MessagePort): void;
}

/**
 * What a {@link Client} runs over: a port to the broker and, for widgets, the penpal link to
 * the host. `connect()` builds one per frame; the host page builds its own.
 */
export interface ClientLink {
  port: MessagePort;
  context: AppContext;
  /** Settles once the broker holds the other end of `port`: request deadlines start then. */
  attached?: Promise<unknown>;
  /** Calls a host service method; rejects with whatever the transport throws. */
  call?<M extends keyof ServiceMethods>(
    method: M,
    args: Parameters<ServiceMethods[M]>,
    timeoutMs: number,
  ): Promise<Awaited<ReturnType<ServiceMethods[M]>>>;
  /** Receives context changes and host liveness. */
  bind?(sink: LinkSink): void;
  /** Releases the link (the penpal connection). */
  close?(): void;
}

/** penpal's own failure codes, as microcanvas codes: a missing method is a denial. */
const PENPAL_CODES: Record<string, ErrorCode> = {
  METHOD_CALL_TIMEOUT: 'CALL_TIMEOUT',
  METHOD_NOT_FOUND: 'NOT_PERMITTED',
  CONNECTION_DESTROYED: 'APP_DISCONNECTED',
  TRANSMISSION_FAILED: 'APP_DISCONNECTED',
};

/**
 * The `McError` for a failed host call, named `call "<method>": …`: the host refuses with
 * `{ code, message }`; penpal's own failures mean a timeout, a denial or a link that is
 * gone. A method the manifest does not grant and one that does not exist read the same.
 */
export function linkError(error: unknown, method: string): McError {
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const mapped = code && (Object.hasOwn(PENPAL_CODES, code) ? PENPAL_CODES[code] : code);
  const why = code === 'METHOD_NOT_FOUND' ? DENIED : message;
  return new McError(
    (mapped || 'APP_DISCONNECTED') as ErrorCode,
    refusalMessage('call', method, String(why)),
    { operation: 'call', target: method },
  );
}
