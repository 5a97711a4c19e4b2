/**
 * Frames to one socket, sent no faster than the server reads them: a token bucket of
 * `ratePerSec` tokens (full at start, refilled continuously), and a queue, in order, for what
 * is over it. The server drops a frame over its rate unread, and a request it drops gets no
 * reply (it would only time out), so the client keeps under the rate the server announced in
 * `welcome.limits` instead of finding it by losing frames. Edits coalesce while they wait.
 */
export class SendPacer {
  readonly #send: (text: string) => void;
  readonly #now: () => number;
  #rate = 1;
  #tokens = 1;
  #refilledAt = 0;
  #queue: string[] = [];
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param send writes one frame; a throw drops it (the socket's close event follows). */
  constructor(send: (text: string) => void, ratePerSec: number, now: () => number = Date.now) {
    this.#send = send;
    this.#now = now;
    this.#rate = Math.max(1, Math.floor(ratePerSec) || 1);
    this.#tokens = this.#rate;
    this.#refilledAt = now();
  }

  /** Frames waiting for a token. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Sends `text` now if the rate allows, else after the frames queued before it. */
  push(text: string): void {
    this.#queue.push(text);
    this.#drain();
  }

  /** Forgets what is queued (the socket is gone). */
  clear(): void {
    this.#queue = [];
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #drain = (): void => {
    this.#timer = undefined;
    const now = this.#now();
    this.#tokens = Math.min(
      this.#rate,
      this.#tokens + ((now - this.#refilledAt) * this.#rate) / 1000,
    );
    this.#refilledAt = now;
    while (this.#queue.length > 0 && this.#tokens >= 1) {
      this.#tokens--;
      const text = this.#queue.shift()!;
      try {
        this.#send(text);
      } catch {
        // A socket that closed under us (Node's ws throws; browsers drop the frame): its
        // close event ends the requests waiting for a reply.
      }
    }
    if (this.#queue.length > 0 && this.#timer === undefined) {
      this.#timer = setTimeout(this.#drain, Math.ceil((1 - this.#tokens) * (1000 / this.#rate)));
    }
  };
}
