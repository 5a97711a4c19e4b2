import * as z from 'zod/mini';

import { McError, toMcError } from '../../sdk/protocol/errors.ts';
import type { ManifestInput } from '../../sdk/protocol/manifest.ts';
import type { AppHealth } from '../../sdk/protocol/registry.ts';
import type { Host } from '../host/host.ts';

/**
 * The registry's answers, checked: the server is trusted less than the page's own code. The
 * manifest is checked once, by `host.register` (the schema's verdict without zod), not here.
 */
const AppSchema = z.object({
  // Loose: z.object strips unknown keys, and the host must get the whole manifest (a
  // manifest of only `{id}` fails host.register, so no app of the registry was ever added).
  manifest: z.looseObject({ id: z.string() }),
  health: z.enum(['healthy', 'unhealthy', 'unknown'] satisfies AppHealth[]),
  etag: z.string(),
});
type PublicApp = z.output<typeof AppSchema>;
const ListSchema = z.object({ apps: z.array(AppSchema).check(z.maxLength(1000)) });
const ChangeSchema = z.object({
  id: z.string(),
  etag: z.optional(z.nullable(z.string())),
  health: z.optional(z.string()),
});

/** The part of `EventSource` the catalog uses (the browser's, or a polyfill in Node). */
export interface ChangeSource {
  onopen: ((event: never) => void) | null;
  addEventListener(type: 'change', listener: (event: MessageEvent) => void): void;
  close(): void;
}

/** Options of a {@link RegistryCatalog}. */
export interface RegistryCatalogOptions {
  /** The server's base URL (`http(s):`); the catalog reads `/registry/apps` there. */
  url: string | URL;
  /** The host the apps are registered on. */
  host: Host;
  /** Default the page's `fetch`. */
  fetch?: typeof globalThis.fetch;
  /** Opens the change stream; default the browser's `EventSource`. */
  changes?: (url: string) => ChangeSource;
  /** Called with what could not be read or registered (the catalog keeps going). */
  onError?: (error: McError) => void;
}

/**
 * The host's catalog from a microcanvas server's registry (docs/backends.md, "Registry"),
 * instead of `host.register()` calls: every app's manifest is registered, and its health
 * marks it available or not (`<mc-catalog>` shows it; unavailable apps are not mounted
 * unless the host's `mountUnavailable` is set). It follows `/registry/events`: an updated
 * manifest is registered again, which remounts that app's widgets with the new rights; a
 * deleted app becomes unavailable (its running widgets stay until they unmount). After the
 * stream reconnects the whole list is read again, so a missed change is caught up.
 */
export class RegistryCatalog {
  readonly #base: URL;
  readonly #host: Host;
  readonly #fetch: typeof globalThis.fetch;
  readonly #open: (url: string) => ChangeSource;
  readonly #onError: (error: McError) => void;
  readonly #etags = new Map<string, string>();
  /**
   * Per app, the number of the read (or change event) whose answer was applied last. Reads
   * are numbered when they are sent; an answer older than one already applied is dropped, so
   * that a slow answer never puts back a manifest an update replaced (with its wider rights).
   */
  readonly #applied = new Map<string, number>();
  #issued = 0;
  #source: ChangeSource | undefined;
  #stopped = false;

  constructor(options: RegistryCatalogOptions) {
    this.#base = new URL(options.url);
    this.#host = options.host;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#open = options.changes ?? ((url) => new EventSource(url));
    this.#onError = options.onError ?? (() => undefined);
  }

  /** Reads the catalog once, registers it, then follows changes. Resolves after the first read. */
  async start(): Promise<void> {
    this.#stopped = false;
    await this.refresh();
    if (this.#stopped || this.#source) return;
    const source = this.#open(new URL('/registry/events', this.#base).href);
    let opened = false;
    // The first open follows the read above; a re-open may have missed changes.
    source.onopen = () => {
      if (opened) void this.refresh().catch((error: unknown) => this.#report(error));
      opened = true;
    };
    // The registry's stream names its events `change` (docs/backends.md, "Registry").
    source.addEventListener('change', (event) => void this.#changed(event.data));
    this.#source = source;
  }

  stop(): void {
    this.#stopped = true;
    this.#source?.close();
    this.#source = undefined;
  }

  /** Reads every app again and applies what changed. */
  async refresh(): Promise<void> {
    const read = ++this.#issued;
    const { apps } = ListSchema.parse(await this.#get('/registry/apps'));
    const seen = new Set<string>();
    for (const app of apps) {
      seen.add(app.manifest.id);
      this.#apply(app, read);
    }
    for (const id of [...this.#etags.keys()]) if (!seen.has(id)) this.#removed(id, read);
  }

  async #changed(data: unknown): Promise<void> {
    const read = ++this.#issued;
    try {
      const change = ChangeSchema.parse(JSON.parse(String(data)));
      if (change.etag === null) return this.#removed(change.id, read);
      if (change.etag !== undefined && change.etag === this.#etags.get(change.id)) {
        if (change.health !== undefined && this.#fresh(change.id, read)) {
          this.#host.setAvailable(change.id, change.health !== 'unhealthy');
        }
        return;
      }
      const app = AppSchema.parse(
        await this.#get(`/registry/apps/${encodeURIComponent(change.id)}`),
      );
      this.#apply(app, read);
    } catch (error) {
      this.#report(error);
    }
  }

  /** Whether read `read` is newer than what was applied for `id` (and marks it applied). */
  #fresh(id: string, read: number): boolean {
    if ((this.#applied.get(id) ?? 0) > read) return false;
    this.#applied.set(id, read);
    return true;
  }

  #apply(app: PublicApp, read: number): void {
    const id = app.manifest.id;
    if (!this.#fresh(id, read)) return;
    try {
      if (this.#etags.get(id) !== app.etag)
        this.#host.register(app.manifest as unknown as ManifestInput);
      this.#etags.set(id, app.etag);
      this.#host.setAvailable(id, app.health !== 'unhealthy');
    } catch (error) {
      this.#report(error);
    }
  }

  #removed(id: string, read: number): void {
    if (!this.#fresh(id, read)) return;
    this.#etags.delete(id);
    this.#host.setAvailable(id, false);
  }

  async #get(path: string): Promise<unknown> {
    const response = await this.#fetch(new URL(path, this.#base), {
      headers: { accept: 'application/json' },
      credentials: 'omit',
    });
    if (!response.ok) {
      throw new McError(
        response.status === 404 ? 'NOT_FOUND' : 'STORAGE_UNAVAILABLE',
        `registry: ${path} answered ${response.status}`,
      );
    }
    return response.json();
  }

  #report(error: unknown): void {
    this.#onError(
      (error as Error | undefined)?.name === '$ZodError'
        ? new McError(
            'MALFORMED_MESSAGE',
            `registry: ${String((error as Error).message).slice(0, 300)}`,
          )
        : toMcError(error, 'STORAGE_UNAVAILABLE'),
    );
  }
}
