import * as z from 'zod/mini';

import { TOKEN_NAME_RE } from './context-tokens.ts';
import { english } from './zod-english.ts';

/**
 * The context every widget receives (theme, locale, user, design tokens) and what a host may
 * change of it. One set of field schemas: the host checks `setContext` with
 * {@link HostContextPatchSchema}, and the types the SDK, the host services and the host's
 * options use are inferred from these schemas, never written again beside them.
 */

/** The colour scheme the host asks widgets to follow. */
export const ThemeSchema = z.enum(['light', 'dark']);
export type Theme = z.infer<typeof ThemeSchema>;

/** A BCP 47 language tag, loosely: letters, digits and dashes. */
export const LocaleSchema = z
  .string()
  .check(z.minLength(2), z.maxLength(35), z.regex(/^[A-Za-z0-9-]+$/));

/** The signed-in user, when the host shares one. */
export const UserSchema = z.strictObject({
  id: z.string().check(z.minLength(1), z.maxLength(128)),
  name: z.string().check(z.minLength(1), z.maxLength(128)),
});
export type User = z.infer<typeof UserSchema>;

/** Theme tokens: `--mc-*` names, plain values (no braces, semicolons or markup). */
export const TokensSchema = z
  .record(
    z.string().check(z.regex(TOKEN_NAME_RE)),
    z.string().check(z.maxLength(200), z.regex(/^[^;{}<>\\]*$/, 'must be a plain CSS value')),
  )
  .check(z.refine((tokens) => Object.keys(tokens).length <= 64, 'at most 64 tokens'));

/** The context a widget receives at connect time and after every change (`onContext`). */
export const AppContextSchema = /* @__PURE__ */ z.strictObject({
  appId: z.string(),
  slotId: z.string(),
  theme: ThemeSchema,
  /** The host's locale (`navigator.language` unless the host sets one). */
  locale: z.string(),
  user: z.optional(UserSchema),
  /**
   * Design tokens as CSS custom properties (`--mc-*`); the SDK sets them on the widget's
   * root element, with `color-scheme` from `theme`.
   */
  tokens: z.optional(TokensSchema),
});
export type AppContext = z.infer<typeof AppContextSchema>;

/** The host-wide part of every widget's context: all of it but the ids. */
export type HostContext = Omit<AppContext, 'appId' | 'slotId'>;

/** What a host may set with `host.setContext()`; every field is optional, `user: null` clears. */
export const HostContextPatchSchema = /* @__PURE__ */ english(
  z.strictObject({
    theme: z.optional(ThemeSchema),
    locale: z.optional(LocaleSchema),
    user: z.optional(z.nullable(UserSchema)),
    tokens: z.optional(TokensSchema),
  }),
);
export type HostContextPatch = z.input<typeof HostContextPatchSchema>;
