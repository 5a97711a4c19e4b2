/**
 * Host → widget calls (docs/decisions/0027-host-to-widget-calls.md): the host calls a method
 * by name (`frame.call(method, args)`) and, before it unmounts the widget or when the page
 * hides, sends a teardown notice. Tree-shaken unless imported: a widget that imports neither
 * function has no such methods, and its host does not wait for it.
 */
import type { Client } from './client.ts';
import { session } from './connect.ts';
import { McError } from './protocol/errors.ts';
import type { Callees, HostCallHandler as Handler, TeardownHandler } from './protocol/handshake.ts';

/** This document's handler tables, put into its session's method table on first use. */
function callees(client: Client): Callees {
  const entry = session();
  if (entry?.[1] !== client) throw new McError('INVALID_ARGUMENT', 'not a widget client');
  if (entry[3]) return entry[3];
  const calls = new Map<string, Handler>();
  const teardowns = new Set<TeardownHandler>();
  // The link finds a method when it is called, so methods added after the handshake answer.
  entry[2].call = async (method, args) => {
    const handler = calls.get(method);
    // Codes the host maps; the message only from the app (the link would send an Error as
    // its name and message, and drop its code).
    if (!handler) throw { code: 'NOT_FOUND' };
    try {
      return await handler(...(args as never[]));
    } catch (error) {
      throw {
        code: (error as McError).code ?? 'CALL_FAILED',
        message: `${(error as Error).message}`,
      };
    }
  };
  entry[2].teardown = async (reason) => {
    await Promise.allSettled([...teardowns].map(async (handler) => handler(reason)));
    // What the handlers published must reach the broker before the host ends the session:
    // the broker answers a request only after everything sent before it.
    await client.state.get(client.context.appId).catch(() => undefined);
  };
  return (entry[3] = [calls, teardowns]);
}

/**
 * Answers the host's calls of `method` with what `handler` returns (or resolves to: JSON or
 * anything structured clone takes). One handler per method: the last one registered wins.
 * A handler that throws refuses the call with its McError's code, else `CALL_FAILED`; a
 * method nobody handles is refused with `NOT_FOUND`. The host's deadline (5 s by default)
 * runs meanwhile. Returns the function that removes the handler.
 *
 * @throws McError `INVALID_ARGUMENT` when `client` is not the one `connect()` returned.
 */
export function handle<A extends unknown[]>(
  client: Client,
  method: string,
  handler: (...args: A) => unknown,
): () => void {
  const [calls] = callees(client);
  calls.set(method, handler as Handler);
  return () => calls.get(method) === handler && calls.delete(method);
}

/**
 * Calls `handler` when the host is about to unmount this widget (`unmount`) or the page is
 * hiding (`pagehide`; it may be closing, or going into the back/forward cache). Publish,
 * save or flush what must not be lost then: the host waits for every handler (and for what
 * they return) a short grace period at most (300 ms by default) before removing the frame.
 * Returns the function that removes the handler.
 *
 * @throws McError `INVALID_ARGUMENT` when `client` is not the one `connect()` returned.
 */
export function onTeardown(client: Client, handler: TeardownHandler): () => void {
  const [, teardowns] = callees(client);
  teardowns.add(handler);
  return () => teardowns.delete(handler);
}
