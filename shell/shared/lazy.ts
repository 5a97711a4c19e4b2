/**
 * A module loaded on first use rather than with the page (docs/decisions/0012-performance.md):
 * callers share one import while it loads and once it has loaded. An import that failed (a
 * chunk that did not arrive: a deploy, a flaky network) is forgotten, so the next caller
 * tries again instead of the page failing for the rest of its life.
 */
export function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    (loading ??= load().catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}
