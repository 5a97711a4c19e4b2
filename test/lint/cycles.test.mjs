// @ts-check
// No import cycles in shell/ and sdk/, type-only imports included: a cycle ties two files'
// designs together (neither can be understood, tested or moved alone) even when TypeScript
// erases it. Static imports and re-exports count; dynamic `import()` does not (it is how a
// lazy chunk is loaded, and creates no load-order knot). Each case proves the check on the
// real graph: a planted cycle must be found, and the graph as it is must have none.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

import ts from 'typescript';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ZONES = ['shell', 'sdk'];

/** Every `.ts` file of the zones, repository-relative, with its text. */
function sources() {
  /** @type {Map<string, string>} */
  const files = new Map();
  for (const zone of ZONES) {
    for (const file of readdirSync(join(ROOT, zone), { recursive: true, encoding: 'utf8' })) {
      if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
        const path = join(zone, file);
        files.set(path, readFileSync(join(ROOT, path), 'utf8'));
      }
    }
  }
  return files;
}

/**
 * The relative specifiers a file imports or re-exports statically (`import type` included).
 * @param {string} path
 * @param {string} text
 */
function importsOf(path, text) {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false);
  /** @type {string[]} */
  const specifiers = [];
  for (const statement of source.statements) {
    if (
      (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) &&
      statement.moduleSpecifier &&
      ts.isStringLiteral(statement.moduleSpecifier)
    ) {
      specifiers.push(statement.moduleSpecifier.text);
    }
  }
  return specifiers.filter((s) => s.startsWith('.')).map((s) => normalize(join(dirname(path), s)));
}

/**
 * The cycles of the import graph of `files`: its strongly connected components of more than
 * one file, or of one file importing itself (Tarjan's algorithm).
 * @param {Map<string, string>} files
 * @returns {string[][]}
 */
function cycles(files) {
  /** @type {Map<string, string[]>} */
  const graph = new Map();
  for (const [path, text] of files) {
    graph.set(
      path,
      importsOf(path, text).filter((target) => files.has(target)),
    );
  }
  let next = 0;
  /** @type {Map<string, { index: number, low: number }>} */
  const seen = new Map();
  /** @type {string[]} */
  const stack = [];
  const onStack = new Set();
  /** @type {string[][]} */
  const found = [];
  /** @param {string} node */
  const visit = (node) => {
    const mark = { index: next, low: next };
    next++;
    seen.set(node, mark);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      const other = seen.get(target);
      if (!other) {
        visit(target);
        mark.low = Math.min(mark.low, seen.get(target)?.low ?? mark.low);
      } else if (onStack.has(target)) {
        mark.low = Math.min(mark.low, other.index);
      }
    }
    if (mark.low !== mark.index) return;
    /** @type {string[]} */
    const component = [];
    let member;
    do {
      member = /** @type {string} */ (stack.pop());
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
      found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!seen.has(node)) visit(node);
  return found;
}

describe('import cycles in shell/ and sdk/', () => {
  it('there are none, type-only imports included', () => {
    assert.deepEqual(cycles(sources()), []);
  });

  it('finds a planted type-only cycle (the model importing the element that renders it)', () => {
    const files = sources();
    files.set(
      'shell/model/probe.ts',
      "import type { McCanvas } from '../elements/mc-canvas.ts';\nexport type P = McCanvas;\n",
    );
    const text = files.get('shell/model/canvas-model.ts');
    assert.ok(text, 'the model exists');
    files.set('shell/model/canvas-model.ts', `import type { P } from './probe.ts';\n${text}`);
    const found = cycles(files);
    assert.equal(found.length, 1);
    assert.ok(found[0]?.includes('shell/model/probe.ts'));
    assert.ok(found[0]?.includes('shell/elements/mc-canvas.ts'));
  });

  it('finds a re-export cycle across sdk/ and a file importing itself', () => {
    const files = new Map([
      ['sdk/a.ts', "export * from './b.ts';"],
      ['sdk/b.ts', "export { x } from './a.ts';"],
      ['sdk/c.ts', "import './c.ts';"],
      ['sdk/d.ts', "const lazy = () => import('./a.ts');"],
    ]);
    assert.deepEqual(cycles(files), [['sdk/a.ts', 'sdk/b.ts'], ['sdk/c.ts']]);
  });
});
