import type { Host } from '../host/host.ts';
import type { McDevtools } from './mc-devtools.ts';
import { lazy } from '../shared/lazy.ts';

/**
 * The host-drawn views that most pages never show, `<mc-toasts>` and `<mc-dialog>`, are not in
 * the page's start-up bundle (docs/decisions/0012-performance.md): each loads, and defines its
 * element, when first needed. An element placed in the page before that stays undefined (and
 * empty) until then, and upgrades when its definition arrives.
 */

/** Loads and defines `<mc-dialog>`; resolves once it is defined. */
// An export is read so that no bundler drops the chunk as unused (package.json lists
// dist/lib/shell.js, not its chunks, as having side effects).
export const loadDialog: () => Promise<unknown> = lazy(() =>
  import('./mc-dialog.ts').then((module) => module.McDialog),
);

/**
 * Loads and defines `<mc-devtools>` (docs/devtools.md); resolves with its class. Devtools
 * are not in the page's start-up bundle: call this where a page offers them.
 */
export const loadDevtools: () => Promise<typeof McDevtools> = lazy(() =>
  import('./mc-devtools.ts').then((module) => module.McDevtools),
);

const watched = new WeakSet<Host>();

/**
 * Places an automatic `<mc-toasts>` for `host` when a toast is shown and no view of its
 * stack is on the page, loading the view with the first toast. One watch per host; it ends
 * when the host's stack is destroyed.
 */
export function watchToasts(host: Host): void {
  if (watched.has(host)) return;
  watched.add(host);
  const stack = host.services.toasts;
  const onChange = (): void => {
    // Loading defines <mc-toasts>: a view the page placed itself upgrades, and counts as a
    // viewer, before ensureToastView looks.
    // A view that failed to load is tried again with the next toast.
    if (stack.viewers === 0 && stack.toasts.length > 0) ensureToastView(host).catch(() => {});
  };
  stack.addEventListener('change', onChange);
  stack.addEventListener('destroy', () => stack.removeEventListener('change', onChange), {
    once: true,
  });
  onChange();
}

/**
 * Loads `<mc-toasts>` and places an automatic view of `host`'s toasts unless one is on the
 * page (`<mc-frame>` does this with the first toast; call it to place the view earlier).
 */
export async function ensureToastView(host: Host): Promise<void> {
  const { placeToastView } = await import('./mc-toasts.ts');
  placeToastView(host);
}
