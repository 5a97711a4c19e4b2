/**
 * A CSS custom property a host may hand widgets as a theme token. Apart from context.ts
 * (the schemas, zod) so that the page's start-up code can use it without loading zod.
 */
export const TOKEN_NAME_RE = /^--mc-[a-z0-9-]{1,48}$/;
