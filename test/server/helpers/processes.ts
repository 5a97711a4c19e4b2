import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import {
  freePort,
  NATS_SERVER,
  REDIS_SERVER,
  startNats,
  startRedis,
} from '../../../scripts/server-services.mjs';

export { freePort, NATS_SERVER, REDIS_SERVER, startNats, startRedis };

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A child process started with tsx, its stdout split into lines as they come. */
export interface Child {
  readonly child: ChildProcess;
  readonly lines: string[];
  readonly exit: Promise<number | null>;
  /**
   * Resolves with the first line matching `test`; after `ms` (a bound, not a measure: 60 s
   * by default) kills the child and rejects. A child that never said what the test waits
   * for is of no use, and one left running keeps the test file, and npm test, from ending
   * (seen: a CLI that took over 20 s to start on a loaded machine hung the server tests).
   */
  line(test: (line: string) => boolean, ms?: number): Promise<string>;
}

/** Runs `node --import tsx <file> ...args` from the repository root. */
export function spawnTs(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let rest = '';
  const take = (chunk: Buffer) => {
    rest += chunk.toString('utf8');
    const parts = rest.split('\n');
    rest = parts.pop()!;
    lines.push(...parts.filter((l) => l.length > 0));
    for (const wake of waiters) wake();
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exit,
    line(test, ms = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(test);
          if (found === undefined) return;
          cleanup();
          resolve(found);
        };
        const cleanup = () => {
          waiters.delete(check);
          clearTimeout(timer);
        };
        const timer = setTimeout(() => {
          cleanup();
          child.kill('SIGKILL');
          reject(new Error(`no matching line within ${ms} ms; got:\n${lines.join('\n')}`));
        }, ms);
        waiters.add(check);
        void exit.then(() => setTimeout(check, 0));
        check();
      });
    },
  };
}

/** Kills a child (SIGKILL by default) and waits for it to be gone. */
export async function kill(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await gone;
}
