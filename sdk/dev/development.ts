/**
 * The SDK's development build: warnings in the console and an explanation on the page, in
 * the style of Lit's dev mode. The package's `imports` map resolves `#microcanvas-dev` here
 * under the `development` condition (Vite's dev server, `dist/lib/development/`); every
 * other build gets ./production.ts, where all of this is absent
 * (docs/decisions/0025-dev-mode.md).
 */
import type { McError } from '../protocol/errors.ts';

/** Whether this is the SDK's development build. */
export const DEV_MODE = true;

/** Where the messages point (the package ships no docs; they are in its repository). */
const DOCS = 'microcanvas docs/errors.md';

const issued = new Set<string>();

/** Lit's pattern: one console warning per distinct text, with where to read more. */
function issueWarning(warning: string, section: string): void {
  warning += ` See ${DOCS}, "${section}". (microcanvas development build; production builds say nothing.)`;
  if (issued.has(warning)) return;
  issued.add(warning);
  // eslint-disable-next-line no-console -- the development build's whole point (Lit's dev mode)
  console.warn(warning);
}

/**
 * Warns once per refusal (code, operation and target: the message names them) that no
 * `onError` handler saw: without one, a refused publish is otherwise silent.
 */
export function warnRefusal(error: McError): void {
  issueWarning(
    `microcanvas: ${error.code}: ${error.message}. This widget's client has no onError ` +
      `handler, so nothing else reports it: add client.onError(...) to handle refusals.`,
    error.code,
  );
}

/** The text of the explanation, framed by a page that is not a host or opened on its own. */
function explanation(framed: boolean): string {
  const here = location.href.split('#')[0];
  const why = framed
    ? 'This page is framed, but not mounted by a microcanvas host: its URL has no mount ' +
      'parameters (a host puts them in the fragment, #…; a widget that navigates itself or ' +
      'rewrites location.hash loses them).'
    : 'This page was opened on its own. A widget runs inside a microcanvas host page, which ' +
      'frames it in a sandboxed iframe and passes its mount parameters in the URL fragment.';
  return `This is a microcanvas widget: connect() needs a host.

${why}

To run it:
• in a canvas: host.register({ id: 'my-app', name: 'My app', url: '${here}' }), then canvas.mount({ app: 'my-app', x: 0, y: 0, width: 320, height: 240 }) (docs/canvas.md);
• in a test: mountWidget({ url: '${here}', manifest: { id: 'my-app' } }) from microcanvas/testing, the host simulator (docs/testing.md);
• serve this page and its scripts with Access-Control-Allow-Origin: * — in the sandboxed frame its module scripts are fetched with Origin: null.

connect() threw NOT_EMBEDDED (${DOCS}). This explanation is shown by the development build of microcanvas/sdk only; a production build only throws.`;
}

/**
 * Shows what {@link explanation} says over the page (in a shadow root, so neither the app's
 * styles nor ours leak), and in the console.
 */
export function explainNotEmbedded(framed: boolean): void {
  const text = explanation(framed);
  // eslint-disable-next-line no-console -- the development build's whole point (Lit's dev mode)
  console.warn(text);
  const show = (): void => {
    const box = document.createElement('div');
    box.setAttribute('data-microcanvas-standalone', framed ? 'framed' : 'top');
    const root = box.attachShadow({ mode: 'open' });
    const style = document.createElement('style');
    style.textContent = `:host { all: initial; position: fixed; inset: 0; z-index: 2147483647;
      display: grid; place-items: center; background: rgb(16 24 40 / 60%); }
      pre { max-width: min(72ch, 92vw); max-height: 88vh; overflow: auto; margin: 0;
      padding: 20px 24px; border-radius: 10px; background: #fff; color: #101828;
      font: 14px/1.5 system-ui, sans-serif; white-space: pre-wrap; }`;
    const body = document.createElement('pre');
    body.setAttribute('role', 'alert');
    body.textContent = text;
    root.append(style, body);
    // The page's own notice (if it has one) is under it: a click puts it away.
    box.title = 'Click to dismiss';
    box.addEventListener('click', () => box.remove());
    document.body.append(box);
  };
  if (document.body) show();
  else addEventListener('DOMContentLoaded', show, { once: true });
}
