/**
 * Host services for widgets: small functions over `client.call`, each tree-shaken away
 * unless imported. The host checks everything again; these only make the right calls easy.
 * A service the manifest does not list is refused like an unknown one (docs/services.md).
 */
import type { Client } from './client.ts';

/**
 * What the helpers need of a client: its host calls. A `Client` is one, and so is its typed
 * view (`TypedClient`, docs/typed-topics.md).
 */
export type ServiceCaller = Pick<Client, 'call'>;
import { MODAL_TIMEOUT_MS } from './protocol/limits.ts';
import type {
  ModalRequestInput,
  PixelSize,
  ToastRequestInput,
} from './protocol/service-schemas.ts';

export { MODAL_TIMEOUT_MS };

/** Per-axis sizing for {@link autoResize}: `content` follows the document, `fixed` leaves it. */
export interface AutoResizeOptions {
  width?: 'fixed' | 'content';
  height?: 'fixed' | 'content';
}

/**
 * Asks the host to size the slot's frame to this document's content, from a
 * ResizeObserver, at most once per animation frame and only when the size changed. The host
 * clamps to the manifest's `size` and the slot's box, and freezes resizing if the size
 * oscillates. Returns the function that stops it.
 */
export function autoResize(
  client: ServiceCaller,
  options: AutoResizeOptions = { height: 'content' },
): () => void {
  const root = document.documentElement;
  let frame = 0;
  let last = '';
  const measure = () => {
    frame = 0;
    const size: PixelSize = {};
    // The host refuses more than 100,000 px (MAX_REQUESTED_PX) and clamps to the slot anyway.
    if (options.width === 'content') size.width = Math.min(root.scrollWidth, 1e5);
    if (options.height === 'content')
      size.height = Math.min(Math.ceil(root.getBoundingClientRect().height), 1e5);
    const key = `${size.width}x${size.height}`;
    if (key === last) return;
    last = key;
    client.call('resize', [size]).catch(() => undefined);
  };
  const observer = new ResizeObserver(() => (frame ||= requestAnimationFrame(measure)));
  observer.observe(root);
  return () => {
    observer.disconnect();
    cancelAnimationFrame(frame);
  };
}

/** Shows a host-drawn toast labelled with the app's name; `text` is shown as text. */
export function notify(
  client: ServiceCaller,
  text: string,
  options: Omit<ToastRequestInput, 'text'> = {},
): Promise<void> {
  return client.call('notify', [{ ...options, text }]);
}

/** A host-drawn confirm dialog over the slot: true when the person confirms. */
export function confirm(
  client: ServiceCaller,
  text: string,
  options: Omit<ModalRequestInput, 'text' | 'kind'> = {},
): Promise<boolean> {
  return client.call('modal', [{ ...options, text, kind: 'confirm' }], {
    timeoutMs: MODAL_TIMEOUT_MS,
  });
}

/** A host-drawn alert over the slot; settles when the person dismisses it. */
export async function alert(
  client: ServiceCaller,
  text: string,
  options: Omit<ModalRequestInput, 'text' | 'kind'> = {},
): Promise<void> {
  await client.call('modal', [{ ...options, text, kind: 'alert' }], {
    timeoutMs: MODAL_TIMEOUT_MS,
  });
}

/** The app's key/value storage kept by the host (values are JSON; a quota applies). */
export interface AppStorage {
  /** The value, or null when the key is not set. */
  get<T = unknown>(key: string): Promise<T | null>;
  /** Stores a JSON value; rejects with `QUOTA_EXCEEDED` when it does not fit. */
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** The app's storage (sandboxed frames have none of their own). */
export function storage(client: ServiceCaller): AppStorage {
  return {
    // Values travel as JSON text: the host checks the length before parsing anything.
    get: async (key) => {
      const json = await client.call('storageGet', [key]);
      return json === null ? null : JSON.parse(json);
    },
    set: async (key, value) => client.call('storageSet', [key, JSON.stringify(value)]),
    remove: (key) => client.call('storageRemove', [key]),
    keys: () => client.call('storageKeys'),
  };
}

/**
 * Forwards the keyboard shortcuts the manifest declares (e.g. `Ctrl+K`) to the host while
 * this widget has focus, and calls `handler` for each. Keys that are not declared are left
 * alone. Returns the function that stops it.
 */
export function shortcuts(client: ServiceCaller, handler?: (combo: string) => void): () => void {
  let declared: string[] = [];
  const ready = client.call('shortcuts').then(
    (list) => (declared = list),
    () => undefined,
  );
  const onKey = (event: KeyboardEvent) => {
    const { code, key } = event;
    const name = /^(Key|Digit)/.test(code) ? code.slice(-1) : key === ' ' ? 'Space' : key;
    const combo =
      (event.ctrlKey ? 'Ctrl+' : '') +
      (event.altKey ? 'Alt+' : '') +
      (event.shiftKey ? 'Shift+' : '') +
      (event.metaKey ? 'Meta+' : '') +
      name;
    if (!declared.includes(combo)) return;
    event.preventDefault();
    client.call('shortcut', [combo]).catch(() => undefined);
    handler?.(combo);
  };
  void ready.then(() => addEventListener('keydown', onKey, true));
  return () => {
    void ready.then(() => removeEventListener('keydown', onKey, true));
  };
}
