import {
  McError,
  type AppContext,
  type HostContext,
  type HostContextPatch,
} from '../../sdk/protocol/index.ts';
import { checkContextPatch } from './context-guard.ts';
import { THEME_TOKENS } from './theme-tokens.ts';

/**
 * Theme, locale, user and design tokens, shared by every widget of a host. Changes are
 * validated like anything else that reaches a widget, then announced to listeners (each
 * live session forwards them to its widget's `context` method).
 */
export class ContextService {
  #context: HostContext;
  readonly #listeners = new Set<() => void>();

  constructor(initial: HostContextPatch = {}) {
    this.#context = { theme: 'light', locale: navigator.language };
    this.#context = this.#merge(initial);
  }

  /** The current host-wide context (`tokens`: the host's own, without the theme's). */
  get current(): Readonly<HostContext> {
    return this.#context;
  }

  /** What a widget of `appId` in `slotId` receives: ids, theme, locale, user, all tokens. */
  contextFor(appId: string, slotId: string): AppContext {
    const { theme, locale, user, tokens } = this.#context;
    const context: AppContext = {
      appId,
      slotId,
      theme,
      locale,
      tokens: { ...THEME_TOKENS[theme], ...tokens },
    };
    if (user) context.user = { ...user };
    return context;
  }

  /** Changes part of the context; throws `INVALID_ARGUMENT` (nothing changed) on a bad field. */
  update(patch: HostContextPatch): void {
    this.#context = this.#merge(patch);
    for (const listener of this.#listeners) listener();
  }

  /** Calls `listener` after every change; returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #merge(patch: HostContextPatch): HostContext {
    const parsed = checkContextPatch(patch);
    if (!parsed.ok) {
      const { path, message } = parsed.issue;
      throw new McError(
        'INVALID_ARGUMENT',
        `context field "${path.map(String).join('.')}": ${message}`,
      );
    }
    const { theme, locale, user, tokens } = parsed.value;
    const next = { ...this.#context };
    if (theme) next.theme = theme;
    if (locale) next.locale = locale;
    if (user === null) delete next.user;
    else if (user) next.user = user;
    if (tokens) next.tokens = Object.freeze({ ...tokens });
    return next;
  }
}
