// Types of browsers.mjs, for the TypeScript configs that import it (playwright.config.ts).

/** Headless flags for Debian's Chromium on a closed network, as root. */
export declare const CHROMIUM_ARGS: string[];
/** The Chromium binary: `CHROME_PATH` wins, else Debian's. */
export declare function chromiumPath(): string;
/** Makes sure Chromium exists (installing it through apt as root); false when missing. */
export declare function ensureBrowsers(): boolean;
/** The Firefox binary: `FIREFOX_PATH` wins, else Debian's ESR. */
export declare function firefoxPath(): string;
