import type { AppContext } from './context.ts';

/**
 * What the host puts in a widget's URL fragment, and what `hello` returns. The fragment
 * never reaches a server, so the nonce does not leak into logs or referrers.
 */
export interface FrameParams {
  nonce: string;
  hostOrigin: string;
}

/** The value `hello` resolves to in the widget. */
export interface HelloReply {
  port: MessagePort;
  context: AppContext;
}

/** Methods the host exposes to a widget over penpal. */
export type HostMethods = {
  hello(nonce: string, protocolVersion: number): Promise<HelloReply>;
};

/** Methods a widget's SDK exposes to the host over penpal. */
export type WidgetMethods = {
  /**
   * The heartbeat: answers at once while the widget's event loop is alive. `nextWithinMs`
   * says when the next beat is due at the latest (0: beats pause), so the widget can tell
   * when the host went away.
   */
  ping(nextWithinMs: number): 'pong';
  /** The host's context changed (theme, locale, user). */
  context(context: AppContext): void;
};

/** Builds the fragment the host appends to a widget URL. */
export function encodeFrameParams(params: FrameParams): string {
  const search = new URLSearchParams({ 'mc-nonce': params.nonce, 'mc-host': params.hostOrigin });
  return `#${search.toString()}`;
}

/** Reads the fragment in a widget; null when it is missing or malformed. */
export function decodeFrameParams(hash: string): FrameParams | null {
  const search = new URLSearchParams(hash.replace(/^#/, ''));
  const nonce = search.get('mc-nonce');
  const hostOrigin = search.get('mc-host');
  // No shape check on the origin: penpal compares it exactly with the sender's origin.
  if (!nonce || !hostOrigin) return null;
  return { nonce, hostOrigin };
}
