// @ts-check
import js from '@eslint/js';
import lit from 'eslint-plugin-lit';
import wc from 'eslint-plugin-wc';
import globals from 'globals';
import tseslint from 'typescript-eslint';

import { boundaries } from './eslint.boundaries.js';

/**
 * Lint rules: typescript-eslint's recommended set everywhere, Lit and web-component rules
 * for the elements, and no bare `console.*` in library code (it ships to other people's
 * pages; logging goes through the opt-in debug logger). Rules are only loosened where they
 * contradict docs/STYLE: `!` after a check the compiler cannot follow, `_`-prefixed unused.
 * The dependency arrows between folders, test hooks and `.only` are in eslint.boundaries.js.
 */
export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.ci/results/',
      'test-results/',
      'playwright-report/',
      'screenshots/',
      'coverage/',
      'bench/results/',
      'docs/api/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
        },
      ],
    },
  },
  {
    // Browser code: the library, widgets, fixtures, tests.
    files: ['sdk/**', 'shell/**', 'sample-apps/**', 'test/**', 'src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['test/**'],
    languageOptions: { globals: { ...globals.mocha } },
  },
  {
    // Node code: scripts, configs, benchmark drivers, the lint rules' own tests.
    files: [
      'scripts/**',
      'bench/**',
      '.ci/**',
      'test/lint/**',
      'server/**',
      'test/server/**',
      'vite-plugin/**',
      '*.config.{js,mjs,ts}',
      '*.{js,mjs}',
    ],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['sdk/**', 'shell/**'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['shell/elements/**'],
    ...lit.configs['flat/recommended'],
  },
  {
    files: ['shell/elements/**'],
    ...wc.configs['flat/recommended'],
  },
  ...boundaries,
  {
    // Type tests deliberately hold values that are never used.
    files: ['test/types/**'],
    rules: { '@typescript-eslint/no-unused-vars': 'off' },
  },
);
