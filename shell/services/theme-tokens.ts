import type { Theme } from '../../sdk/protocol/index.ts';

/**
 * The tokens every widget receives for each theme, as CSS custom properties. A host's own
 * `tokens` are laid over these, so widgets can rely on the names existing.
 */
export const THEME_TOKENS: Readonly<Record<Theme, Readonly<Record<string, string>>>> =
  Object.freeze({
    light: Object.freeze({
      '--mc-bg': '#ffffff',
      '--mc-surface': '#f9fafb',
      '--mc-text': '#101828',
      '--mc-muted': '#667085',
      '--mc-border': '#d0d5dd',
      '--mc-accent': '#444ce7',
      '--mc-accent-text': '#ffffff',
      '--mc-danger': '#d92d20',
      '--mc-radius': '8px',
      '--mc-font': 'system-ui, sans-serif',
    }),
    dark: Object.freeze({
      '--mc-bg': '#101828',
      '--mc-surface': '#1d2939',
      '--mc-text': '#f2f4f7',
      '--mc-muted': '#98a2b3',
      '--mc-border': '#344054',
      '--mc-accent': '#8098f9',
      '--mc-accent-text': '#101828',
      '--mc-danger': '#f97066',
      '--mc-radius': '8px',
      '--mc-font': 'system-ui, sans-serif',
    }),
  });
