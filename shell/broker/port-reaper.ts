/// <reference lib="webworker" />
/**
 * Closes ports the broker is done with. Closing a port with a large backlog of unread
 * messages blocks the closing thread; doing it here keeps the broker delivering.
 */
self.onmessage = (event: MessageEvent) => {
  for (const port of event.ports) port.close();
};
