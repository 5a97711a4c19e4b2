import { McError, type Manifest } from '../../sdk/protocol/index.ts';
import { checkManifest } from './manifest-guard.ts';

/**
 * The host's registered manifests: the one source of every widget's rights. Keyed by a
 * `Map`, since app ids are strings from outside.
 */
export class ManifestRegistry {
  readonly #manifests = new Map<string, Manifest>();

  /** Validates and stores a manifest; throws `INVALID_MANIFEST` naming the first bad field. */
  register(input: unknown): Manifest {
    // The schema's verdict without zod on the page (manifest-guard.ts, pinned to the schema).
    const result = checkManifest(input);
    if (!result.ok) {
      const { path, message } = result.issue;
      const field = path.length ? path.map(String).join('.') : '(manifest)';
      throw new McError('INVALID_MANIFEST', `manifest field "${field}": ${message}`);
    }
    const manifest = Object.freeze(result.value);
    this.#manifests.set(manifest.id, manifest);
    return manifest;
  }

  get(appId: string): Manifest | undefined {
    return this.#manifests.get(appId);
  }

  all(): Manifest[] {
    return [...this.#manifests.values()];
  }
}
