import { McError, ManifestSchema, type Manifest } from '../../sdk/protocol/index.ts';

/**
 * The host's registered manifests: the one source of every widget's rights. Keyed by a
 * `Map`, since app ids are strings from outside.
 */
export class ManifestRegistry {
  readonly #manifests = new Map<string, Manifest>();

  /** Validates and stores a manifest; throws `INVALID_MANIFEST` naming the first bad field. */
  register(input: unknown): Manifest {
    const result = ManifestSchema.safeParse(input);
    if (!result.success) {
      const issue = result.error.issues[0]!;
      const field = issue.path.length ? issue.path.map(String).join('.') : '(manifest)';
      throw new McError('INVALID_MANIFEST', `manifest field "${field}": ${issue.message}`);
    }
    const manifest = Object.freeze(result.data);
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
