/** Packages the server bundle imports at run time instead of carrying. */
export const SERVER_EXTERNAL: string[];
/** Writes `<outdir>/cli.js` (default dist/server) and its engine chunks. */
export function buildServer(outdir?: string): Promise<void>;
