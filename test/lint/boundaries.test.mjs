// @ts-check
// Proves the dependency rules (eslint.boundaries.js, tsconfig.no-dom.json) still fire: each
// case lints a snippet placed at a forbidden position through the project's real ESLint
// config, and each zone has a control that must stay clean, so that neither a rule that
// stopped matching nor one that refuses everything passes. Run by `npm test` (node --test).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import { ESLint } from 'eslint';
import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const eslint = new ESLint({ cwd: ROOT });

/** The rules these tests are about; others (unused imports in a probe) are not reported. */
const BOUNDARY_RULES = new Set([
  'no-restricted-imports',
  'no-restricted-globals',
  'no-restricted-syntax',
  'boundaries/dynamic-imports',
]);

/**
 * The boundary rules ESLint reports for `code` as if it were the file at `path` (and any
 * parse error, so that a snippet that does not parse cannot pass as "allowed").
 * @param {string} path repository-relative
 * @param {string} code
 */
async function lint(path, code) {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, path) });
  return result.messages
    .map((m) => m.ruleId ?? `fatal: ${m.message}`)
    .filter((id) => BOUNDARY_RULES.has(id) || id.startsWith('fatal: '));
}

/**
 * Forbidden snippets per file position, each must be reported by `rule`; `allowed` snippets
 * in the same position must be reported by nothing.
 * @type {Array<{ file: string, rule: string, forbidden: string[], allowed: string[] }>}
 */
const CASES = [
  {
    file: 'shell/broker/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { html } from 'lit';",
      "import { repeat } from 'lit/directives/repeat.js';",
      "import { connect } from 'penpal';",
      "import type { Host } from '../host/host.ts';",
      "import { McFrame } from '../elements/mc-frame.ts';",
      "import { FrameSession } from '../frames/frame-session.ts';",
      "import { ServiceLimiter } from '../services/service-limiter.ts';",
      "import '../index.ts';",
      "import { Client } from '../../sdk/client.ts';",
      "export * from '../store/canvas-state.ts';",
      "import { connect } from 'microcanvas/sdk';",
    ],
    allowed: [
      "import * as Comlink from 'comlink';",
      "import { McError } from '../../sdk/protocol/index.ts';",
      "import { TokenBucket } from '../shared/token-bucket.ts';",
      "import { Grants } from './grants.ts';",
    ],
  },
  {
    file: 'shell/broker/probe.ts',
    rule: 'no-restricted-globals',
    forbidden: ['export const t = document.title;', 'window.postMessage(1);'],
    allowed: ['export const c = new MessageChannel();', 'self.postMessage(1);'],
  },
  {
    file: 'shell/shared/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { Broker } from '../broker/broker.ts';",
      "import { Host } from '../host/host.ts';",
      "import * as Comlink from 'comlink';",
      "import { html } from 'lit';",
    ],
    allowed: ["import { McError } from '../../sdk/protocol/index.ts';", "import './other.ts';"],
  },
  {
    file: 'shell/model/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { LitElement } from 'lit';",
      "import type { McCanvas } from '../elements/mc-canvas.ts';",
      "import { CanvasPersistence } from '../store/canvas-persistence.ts';",
      "import { PageStore } from '../bridge/page-store.ts';",
      "import { connect } from 'penpal';",
    ],
    allowed: [
      "import { findFreeSpot } from '../layout/geometry.ts';",
      "import { McError } from '../../sdk/protocol/index.ts';",
    ],
  },
  {
    file: 'shell/model/probe.ts',
    rule: 'no-restricted-globals',
    forbidden: ["customElements.get('mc-frame');", 'export const e = document.body;'],
    allowed: ['export const m = new Map();'],
  },
  {
    file: 'shell/services/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { TokenBucket } from '../broker/token-bucket.ts';",
      "import type { Broker } from '../broker/broker.ts';",
      "import { connect } from '../../sdk/connect.ts';",
      "import { IndexedDbStore } from '../store/indexeddb-store.ts';",
      "import type { CanvasState } from '../store/canvas-state.ts';",
    ],
    allowed: [
      "import { TokenBucket } from '../shared/token-bucket.ts';",
      "import { IdbConnection } from '../shared/idb-connection.ts';",
      "import { McError } from '../../sdk/protocol/index.ts';",
      "import { ContextService } from './context-service.ts';",
    ],
  },
  {
    file: 'shell/store/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import type { McCanvas } from '../elements/mc-canvas.ts';",
      "import { McLayoutChangeEvent } from '../elements/canvas-events.ts';",
      "export type { McFrame } from '../elements/mc-frame.ts';",
      "import { connect } from '../../sdk/connect.ts';",
    ],
    allowed: [
      "import type { CanvasLike } from '../model/canvas-model.ts';",
      "import type { Host } from '../host/host.ts';",
      "import { IdbConnection } from '../shared/idb-connection.ts';",
      "import type { StateVersion } from '../../sdk/client.ts';",
    ],
  },
  // Code loaded on first use (`import()`) is held to the same arrows as static imports.
  {
    file: 'shell/broker/probe.ts',
    rule: 'boundaries/dynamic-imports',
    forbidden: [
      "void import('lit');",
      "void import('penpal');",
      "void import('../host/host.ts');",
      "void import('microcanvas/sdk');",
    ],
    allowed: ["void import('../shared/token-bucket.ts');", "void import('./broker.ts');"],
  },
  {
    file: 'shell/store/probe.ts',
    rule: 'boundaries/dynamic-imports',
    forbidden: ["void import('../elements/mc-canvas.ts');", "void import('../../sdk/connect.ts');"],
    allowed: [
      "void import('./canvas-state-schema.ts');",
      "void import('../shared/idb-connection.ts');",
    ],
  },
  {
    file: 'server/probe.ts',
    rule: 'boundaries/dynamic-imports',
    forbidden: ["void import('../shell/index.ts');", "void import('microcanvas/sdk');"],
    allowed: ["void import('../sdk/protocol/index.ts');", "void import('ioredis');"],
  },
  {
    file: 'shell/bridge/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import type { McCanvas } from '../elements/mc-canvas.ts';",
      "import '../elements/mc-frame.ts';",
    ],
    allowed: [
      "import type { CanvasLike } from '../model/canvas-model.ts';",
      "import type { Host } from '../host/host.ts';",
    ],
  },
  {
    file: 'shell/host/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { connect } from '../../sdk/connect.ts';",
      "import { autoResize } from '../../sdk/services.ts';",
      "import { connect } from '../../sdk/index.ts';",
    ],
    allowed: [
      "import { Client } from '../../sdk/client.ts';",
      "import type { BrokerControl } from '../broker/broker-worker.ts';",
      "import { HostServices } from '../services/host-services.ts';",
    ],
  },
  {
    file: 'sdk/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { Host } from '../shell/host/host.ts';",
      "import type { Broker } from '../shell/broker/broker.ts';",
      "import { McCanvas } from 'microcanvas/shell';",
    ],
    allowed: [
      "import { connect } from 'penpal';",
      "import { McError } from './protocol/index.ts';",
      "import { Client } from './client.ts';",
    ],
  },
  {
    file: 'sdk/protocol/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { Client } from '../client.ts';",
      "import { connect } from '../index.ts';",
      "import { Host } from '../../shell/host/host.ts';",
      "import { html } from 'lit';",
      "import { connect } from 'penpal';",
      "import * as Comlink from 'comlink';",
      "import { connect } from 'microcanvas/sdk';",
    ],
    allowed: ["import * as z from 'zod/mini';", "import { TOPIC_RE } from './topics.ts';"],
  },
  {
    file: 'sdk/protocol/probe.ts',
    rule: 'no-restricted-globals',
    forbidden: ['export const href = window.location.href;', 'localStorage.clear();'],
    allowed: ["export const u = new URL('https://example.com');"],
  },
  {
    file: 'server/engines/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { Host } from '../../shell/host/host.ts';",
      "import { Broker } from '../../shell/broker/broker.ts';",
      "import { Client } from '../../sdk/client.ts';",
      "import { connect } from 'microcanvas/sdk';",
      "import { McCanvas } from 'microcanvas/shell';",
      "import { ServerLink } from 'microcanvas/remote';",
      "import { html } from 'lit';",
      "import { connect } from 'penpal';",
    ],
    allowed: [
      "import { McError } from '../../sdk/protocol/index.ts';",
      "import { McError } from 'microcanvas/protocol';",
      "import { Engine } from '../engine.ts';",
    ],
  },
  {
    file: 'server/probe.ts',
    rule: 'no-restricted-globals',
    forbidden: ['export const d = document;', 'export const h: typeof HTMLElement = HTMLElement;'],
    allowed: ['export const n = Date.now();'],
  },
  {
    file: 'vite-plugin/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { Host } from '../shell/host/host.ts';",
      "import { connect } from '../sdk/index.ts';",
      "import { createServer } from '../server/index.ts';",
      "import { McCanvas } from 'microcanvas/shell';",
      "import { html } from 'lit';",
    ],
    allowed: [
      "import { McError } from '../sdk/protocol/errors.ts';",
      "import type { Plugin } from 'vite';",
      "import { pagePaths } from './pages.ts';",
    ],
  },
  {
    file: 'vite-plugin/probe.ts',
    rule: 'no-restricted-globals',
    forbidden: ['export const h = window.location.href;'],
    allowed: ["export const u = new URL('https://example.com');"],
  },
  {
    file: 'sample-apps/todo/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { Client } from '../../sdk/client.ts';",
      "import { connect } from '../../sdk/index.ts';",
      "import { Host } from '../../shell/host/host.ts';",
      "import { McError } from 'microcanvas/protocol';",
      "import { Host } from 'microcanvas/shell';",
    ],
    allowed: ["import { connect } from 'microcanvas/sdk';", "import { seed } from './seed.ts';"],
  },
  {
    file: 'testing/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { FrameSession } from '../shell/frames/frame-session.ts';",
      "import { Client } from '../sdk/client.ts';",
      "import { isTopic } from '../sdk/protocol/topics.ts';",
    ],
    allowed: [
      "import { Host } from '../shell/index.ts';",
      "import { Client } from '../sdk/index.ts';",
      "import { Peers } from './peers.ts';",
    ],
  },
  {
    file: 'shell/elements/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: [
      "import { mountWidget } from '../../testing/index.ts';",
      "import { mountWidget } from 'microcanvas/testing';",
    ],
    allowed: ["import { Host } from '../host/host.ts';"],
  },
  {
    file: 'sdk/probe.ts',
    rule: 'no-restricted-imports',
    forbidden: ["import { mountWidget } from '../testing/index.ts';"],
    allowed: ["import { Client } from './client.ts';"],
  },
  {
    file: 'shell/host/probe.ts',
    rule: 'no-restricted-syntax',
    forbidden: [
      'export class A { killForTesting(): void {} }',
      'export class A { resetForTests = (): void => {}; }',
    ],
    allowed: ['export class A { kill(): void {} }'],
  },
  {
    file: 'sdk/probe.ts',
    rule: 'no-restricted-syntax',
    forbidden: ['export class A { static flushForTest(): void {} }'],
    allowed: ['export class A { static flush(): void {} }'],
  },
  {
    file: 'test/unit/probe.test.ts',
    rule: 'no-restricted-syntax',
    // Built from parts so that this file itself holds no focused test for a scan to find.
    forbidden: ['it', 'describe', 'test.describe'].map(
      (runner) => `${runner}.${'only'}('runs alone', () => {});`,
    ),
    allowed: ["it('runs with the others', () => {});"],
  },
];

describe('lint boundaries', () => {
  for (const { file, rule, forbidden, allowed } of CASES) {
    for (const code of forbidden) {
      it(`${rule} refuses in ${file}: ${code}`, async () => {
        assert.deepEqual(await lint(file, code), [rule]);
      });
    }
    for (const code of allowed) {
      it(`${rule} lets pass in ${file}: ${code}`, async () => {
        assert.deepEqual(await lint(file, code), []);
      });
    }
  }
});

/** @param {string} configFile */
function parseConfig(configFile) {
  const { config, error } = ts.readConfigFile(join(ROOT, configFile), ts.sys.readFile);
  assert.equal(error, undefined);
  return ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
}

/**
 * The codes of the diagnostics for `code` type-checked as the file `path` under the compiler
 * options of `configFile`.
 * @param {string} configFile
 * @param {string} path
 * @param {string} code
 */
function typeCheck(configFile, path, code) {
  const parsed = parseConfig(configFile);
  const probe = join(ROOT, path);
  const host = ts.createCompilerHost(parsed.options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === probe
      ? ts.createSourceFile(name, code, language)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === probe || fileExists.call(host, name);
  host.readFile = (name) => (name === probe ? code : readFile.call(host, name));
  const program = ts.createProgram([probe], parsed.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => d.code);
}

/** A DOM type and a DOM value; both exist in the page, neither in a Worker. */
const DOM_PROBE = `
export function mount(into: HTMLElement): HTMLIFrameElement {
  const frame = document.createElement('iframe');
  into.append(frame);
  return frame;
}
`;

describe('tsconfig.no-dom.json', () => {
  it('refuses DOM types and DOM globals in the broker', () => {
    const codes = typeCheck('tsconfig.no-dom.json', 'shell/broker/probe.ts', DOM_PROBE);
    // TS2304: cannot find name (the two element types); TS2584: `document` needs the DOM lib.
    assert.deepEqual([...new Set(codes)].sort(), [2304, 2584]);
  });

  it('accepts the same file under the page’s own tsconfig (the control)', () => {
    assert.deepEqual(typeCheck('tsconfig.json', 'shell/broker/probe.ts', DOM_PROBE), []);
  });

  it('covers the protocol, the broker, shared/ and the model', () => {
    const { fileNames } = parseConfig('tsconfig.no-dom.json');
    const zones = ['sdk/protocol/', 'shell/broker/', 'shell/shared/', 'shell/model/'];
    for (const zone of zones.filter((z) => existsSync(join(ROOT, z)))) {
      const prefix = join(ROOT, zone);
      assert.ok(
        fileNames.some((name) => name.startsWith(prefix)),
        `${zone} is not in tsconfig.no-dom.json`,
      );
    }
  });
});
