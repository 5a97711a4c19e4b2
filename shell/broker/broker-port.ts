/**
 * The little the broker needs from a port. A real `MessagePort` fits; unit tests use fakes.
 * Setting `onmessage` starts a real port.
 */
export interface BrokerPort {
  postMessage(message: string): void;
  onmessage: ((event: MessageEvent) => void) | null;
  close(): void;
}
