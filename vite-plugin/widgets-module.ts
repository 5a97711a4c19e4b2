import { LOOPBACK_TWIN_SCRIPT } from './loopback.ts';
import type { ResolvedOptions } from './options.ts';
import { basePath } from './pages.ts';

/** The id host code imports: `import { widgets } from 'virtual:microcanvas/widgets'`. */
export const WIDGETS_MODULE_ID = 'virtual:microcanvas/widgets';

/**
 * The source of `virtual:microcanvas/widgets`: `widgetOrigin` and each widget's page URL.
 * In dev, and in a build without `widgetOrigin`, the origin is the loopback name the page
 * is not on, computed in the browser; in a build with it, that origin.
 */
export function widgetsModule(options: ResolvedOptions, base: string, build: boolean): string {
  const fixed = build ? options.widgetOrigin : undefined;
  const origin =
    fixed === undefined ? LOOPBACK_TWIN_SCRIPT : `const origin = ${JSON.stringify(fixed)};`;
  const prefix = basePath(base);
  const entries = Object.entries(options.widgets).map(
    ([name, page]) => `  ${JSON.stringify(name)}: origin + ${JSON.stringify(prefix + page)},`,
  );
  return [
    origin,
    '/** The origin the widgets are served from: another site than this page. */',
    'export const widgetOrigin = origin;',
    "/** Each widget page's URL, by the name given to the plugin. */",
    `export const widgets = Object.freeze({\n${entries.join('\n')}\n});`,
    '',
  ].join('\n');
}
