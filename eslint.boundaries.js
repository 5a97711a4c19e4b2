// @ts-check
/**
 * The dependency arrows of docs/decisions/0009-boundaries.md as lint rules, one block per
 * zone of the repository. ESLint replaces a rule's options when a later block sets the same
 * rule for a file, so the zones are disjoint (`ignores`) and each zone lists every
 * restriction that holds for it, the shell-wide ones included.
 *
 * Imports are matched by their specifier as written. Relative specifiers name the folders
 * they pass through, so "a path into shell/" is any relative specifier with a `shell/`
 * segment, whatever the importing file's depth. The broker's and the protocol's allow-lists
 * ("only ./, ../shared/ and ../../sdk/protocol/") assume their files sit directly in their
 * folder, as they do today; test/lint/boundaries.test.mjs puts a probe in every forbidden
 * position, so a rule that stops matching fails `npm test`.
 *
 * DOM *types* are not an import: tsconfig.no-dom.json type-checks the broker, shared/,
 * the model and the protocol without the DOM library, which catches `HTMLElement` used as a
 * type as surely as `document` used as a value.
 */
import ignore from 'ignore';

const SEE = '(docs/decisions/0009-boundaries.md)';

/** A relative specifier passing through one of `folders`. */
const into = (/** @type {string[]} */ folders) =>
  `^\\.{1,2}/(?:.*/)?(?:${folders.join('|')})(?:/|$)`;

const LIT = {
  group: ['lit', 'lit/*', 'lit-html', 'lit-html/*', 'lit-element', 'lit-element/*', '@lit/*'],
  message: `Lit belongs to the elements ${SEE}.`,
};
const PENPAL = {
  group: ['penpal', 'penpal/*'],
  message: `penpal is the frames' and the SDK's link to the page ${SEE}.`,
};
const COMLINK = {
  group: ['comlink', 'comlink/*'],
  message: `comlink is the host page's link to the broker Worker ${SEE}.`,
};

/** shell → sdk/protocol; `sdk/client.ts` is the one named exception (the host's own client). */
const SHELL_TO_SDK = {
  regex: '^\\.{1,2}/(?:.*/)?sdk/(?!protocol/|client\\.ts$)',
  message: `The shell imports sdk/protocol/ (and sdk/client.ts for the host's own client), not the rest of the SDK ${SEE}.`,
};
const NO_SHELL = {
  regex: into(['shell']),
  message: `Nothing outside shell/ imports the shell ${SEE}.`,
};
const NO_SHELL_ENTRY = {
  group: ['microcanvas/shell', 'microcanvas/shell/*', 'microcanvas/sync', 'microcanvas/remote'],
  message: `Nothing outside shell/ imports the shell ${SEE}.`,
};

/** `microcanvas/testing` is for tests: no production code may pull it in. */
const NO_TESTING = {
  regex: into(['testing']),
  message: `Only tests import testing/ (microcanvas/testing) ${SEE}.`,
};
const NO_TESTING_ENTRY = {
  group: ['microcanvas/testing', 'microcanvas/testing/*'],
  message: `Only tests import microcanvas/testing ${SEE}.`,
};

/** Browser globals that code without a DOM must not touch (values; types: tsconfig.no-dom). */
const DOM_GLOBALS = [
  'window',
  'document',
  'customElements',
  'HTMLElement',
  'Element',
  'Node',
  'localStorage',
  'sessionStorage',
  'parent',
  'top',
  'frames',
].map((name) => ({ name, message: `No DOM here ${SEE}.` }));

/**
 * `no-restricted-imports` does not see `import('…')`, which is how the shell loads code on
 * first use (0012): this rule holds dynamic imports with a literal source to the same
 * patterns (`regex`, or gitignore-style `group`, matched as that rule matches them).
 * @type {import('eslint').Rule.RuleModule}
 */
const dynamicImports = {
  meta: {
    type: 'problem',
    schema: [{ type: 'object', properties: { patterns: { type: 'array' } } }],
  },
  create(context) {
    /** @type {Array<{ regex?: string, group?: string[], message: string }>} */
    const patterns = context.options[0]?.patterns ?? [];
    const matchers = patterns.map(({ regex, group = [], message }) => {
      if (regex !== undefined) {
        const re = new RegExp(regex);
        return { test: (/** @type {string} */ source) => re.test(source), message };
      }
      const globs = ignore({ allowRelativePaths: true }).add(group);
      return { test: (/** @type {string} */ source) => globs.ignores(source), message };
    });
    return {
      ImportExpression(node) {
        const { source } = node;
        if (source.type !== 'Literal' || typeof source.value !== 'string') return;
        const path = source.value;
        const hit = matchers.find((matcher) => matcher.test(path));
        if (hit) context.report({ node, message: hit.message });
      },
    };
  },
};

/** The plugin of the rule above, named in every zone that uses it. */
const plugin = { rules: { 'dynamic-imports': dynamicImports } };

/**
 * One zone's rule block.
 * @param {string} name
 * @param {string[]} files
 * @param {{ ignores?: string[], patterns: object[], dom?: boolean }} options
 * @returns {import('eslint').Linter.Config}
 */
function zone(name, files, { ignores = [], patterns, dom = false }) {
  /** @type {import('eslint').Linter.RulesRecord} */
  const rules = {
    'no-restricted-imports': ['error', { patterns }],
    'boundaries/dynamic-imports': ['error', { patterns }],
  };
  if (dom) rules['no-restricted-globals'] = ['error', ...DOM_GLOBALS];
  return { name: `boundaries/${name}`, files, ignores, plugins: { boundaries: plugin }, rules };
}

/** Zones inside shell/ with rules of their own; the rest of shell/ gets the shell-wide ones. */
const SHELL_ZONES = [
  'shell/broker/**',
  'shell/shared/**',
  'shell/model/**',
  'shell/services/**',
  'shell/store/**',
  'shell/bridge/**',
];

/** @type {import('eslint').Linter.Config[]} */
export const boundaries = [
  zone('sdk/protocol', ['sdk/protocol/**'], {
    dom: true,
    patterns: [
      {
        regex: '^\\.\\./',
        message: `sdk/protocol/ is imported by everyone and imports nothing of the repository ${SEE}.`,
      },
      { group: ['microcanvas/*'], message: `sdk/protocol/ imports no entry point ${SEE}.` },
      LIT,
      PENPAL,
      COMLINK,
    ],
  }),
  zone('sdk', ['sdk/**'], {
    ignores: ['sdk/protocol/**'],
    patterns: [NO_SHELL, NO_SHELL_ENTRY, NO_TESTING, NO_TESTING_ENTRY],
  }),
  zone('shell/broker', ['shell/broker/**'], {
    dom: true,
    patterns: [
      {
        regex: '^\\.\\./(?!shared/|\\.\\./sdk/protocol/)',
        message: `The broker imports nothing of the shell but shared/, nothing of the SDK but sdk/protocol/ ${SEE}.`,
      },
      { group: ['microcanvas/*'], message: `The broker imports no entry point ${SEE}.` },
      LIT,
      PENPAL,
    ],
  }),
  zone('shell/shared', ['shell/shared/**'], {
    dom: true,
    patterns: [
      {
        regex: '^\\.\\./(?!\\.\\./sdk/protocol/)',
        message: `shared/ is imported by the broker: it imports nothing but sdk/protocol/ ${SEE}.`,
      },
      { group: ['microcanvas/*'], message: `shared/ imports no entry point ${SEE}.` },
      LIT,
      PENPAL,
      COMLINK,
    ],
  }),
  zone('shell/model', ['shell/model/**'], {
    dom: true,
    patterns: [
      {
        regex: into(['elements', 'frames', 'store', 'bridge']),
        message: `The canvas model is plain TypeScript: views, frames and the syncers use it, not the other way round ${SEE}.`,
      },
      SHELL_TO_SDK,
      NO_TESTING,
      NO_TESTING_ENTRY,
      LIT,
      PENPAL,
      COMLINK,
    ],
  }),
  zone('shell/services', ['shell/services/**'], {
    patterns: [
      {
        regex: into(['broker', 'store']),
        message: `Host services do not reach into the broker's or the store's internals ${SEE}.`,
      },
      SHELL_TO_SDK,
      NO_TESTING,
      NO_TESTING_ENTRY,
    ],
  }),
  zone('shell/store+bridge', ['shell/store/**', 'shell/bridge/**'], {
    patterns: [
      {
        regex: into(['elements']),
        message: `The syncers and the page bridge follow the canvas model (CanvasLike), not the elements that render it ${SEE}.`,
      },
      SHELL_TO_SDK,
      NO_TESTING,
      NO_TESTING_ENTRY,
    ],
  }),
  zone('shell', ['shell/**'], {
    ignores: SHELL_ZONES,
    patterns: [SHELL_TO_SDK, NO_TESTING, NO_TESTING_ENTRY],
  }),
  // The host simulator uses the shell and the SDK as an app's tests would: their public
  // entries only (so it cannot lean on internals that a refactor moves).
  zone('testing', ['testing/**'], {
    patterns: [
      {
        regex: '^\\.\\./(?!shell/index\\.ts$|sdk/index\\.ts$)',
        message: `testing/ imports the shell's and the SDK's public entries only (shell/index.ts, sdk/index.ts) ${SEE}.`,
      },
    ],
  }),
  zone('server', ['server/**'], {
    dom: true,
    patterns: [
      NO_SHELL,
      NO_SHELL_ENTRY,
      NO_TESTING,
      NO_TESTING_ENTRY,
      {
        regex: '^\\.{1,2}/(?:.*/)?sdk/(?!protocol/)',
        message: `The server imports sdk/protocol/, nothing else of the SDK ${SEE}.`,
      },
      {
        group: ['microcanvas/sdk', 'microcanvas/sdk/*'],
        message: `The server is no widget ${SEE}.`,
      },
      LIT,
      PENPAL,
      COMLINK,
    ],
  }),
  // The Vite plugin runs in the app's build (Node): it imports sdk/protocol/ (McError) and
  // nothing else of the repository, and no browser code.
  zone('vite-plugin', ['vite-plugin/**'], {
    dom: true,
    patterns: [
      {
        regex: '^\\.\\./(?!sdk/protocol/)',
        message: `The Vite plugin imports nothing of the repository but sdk/protocol/ ${SEE}.`,
      },
      {
        group: ['microcanvas/*'],
        message: `The Vite plugin imports no entry point: it is bundled into one ${SEE}.`,
      },
      LIT,
      PENPAL,
      COMLINK,
    ],
  }),
  // A sample backend is what an app author writes: it sees microcanvas/backend, nothing else.
  zone('sample backends', ['sample-apps/*/backend/**', 'sample-apps/shared/**'], {
    dom: true,
    patterns: [
      {
        regex: into(['sdk', 'shell', 'server', 'testing']),
        message: `Sample backends import only microcanvas/backend ${SEE}.`,
      },
      {
        group: ['microcanvas/*', '!microcanvas/backend'],
        message: `Sample backends import only microcanvas/backend ${SEE}.`,
      },
    ],
  }),
  zone('sample-apps', ['sample-apps/**'], {
    ignores: ['sample-apps/*/backend/**', 'sample-apps/shared/**'],
    patterns: [
      {
        regex: into(['sdk', 'shell', 'server', 'testing']),
        message: `Sample apps import only the SDK's public entry, microcanvas/sdk ${SEE}.`,
      },
      {
        group: ['microcanvas/*', '!microcanvas/sdk'],
        message: `Sample apps import only the SDK's public entry, microcanvas/sdk ${SEE}.`,
      },
    ],
  }),
  {
    name: 'boundaries/test-hooks',
    files: ['shell/**', 'sdk/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector:
            ':matches(MethodDefinition, PropertyDefinition, TSAbstractMethodDefinition)[key.name=/For(Test|Testing|Tests)$/]',
          message: `Test hooks are not public API: tests reach in from test/ ${SEE}.`,
        },
      ],
    },
  },
  {
    name: 'boundaries/no-only',
    files: ['test/**'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression > MemberExpression.callee[property.name="only"]',
          message: 'A focused test (`.only`) silently skips every other test.',
        },
      ],
    },
  },
];
