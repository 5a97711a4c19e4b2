/**
 * Types of the module the microcanvas Vite plugin provides. Reference them once, in a
 * `.d.ts` of the app or its tsconfig's `types`: `/// <reference types="microcanvas/vite/client" />`.
 */
declare module 'virtual:microcanvas/widgets' {
  /** The origin the widgets are served from: another site than the host page. */
  export const widgetOrigin: string;
  /** Each widget page's URL, by the name given in the plugin's `widgets` option. */
  export const widgets: Readonly<Record<string, string>>;
}
