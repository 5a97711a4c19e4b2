/** A Worker the page created while a {@link WorkerSpy} was installed, with its given name. */
export interface SpiedWorker {
  readonly worker: Worker;
  readonly name: string | undefined;
}

/** What {@link spyOnWorkers} returns. */
export interface WorkerSpy {
  /** Every Worker created since the spy was installed, oldest first. */
  readonly created: readonly SpiedWorker[];
  /** The newest Worker created with this `name` option; throws when there is none. */
  latest(name: string): Worker;
  /** Puts the page's own `Worker` constructor back. */
  restore(): void;
}

/**
 * Records every Worker the page creates until `restore()`, so that a fault test can
 * terminate the broker's Worker as a crash would: the library keeps no test hook for it
 * (docs/decisions/0009-boundaries.md). Install it before the code under test creates its
 * Workers; Workers created inside other Workers are not seen.
 */
export function spyOnWorkers(): WorkerSpy {
  const Original = globalThis.Worker;
  const created: SpiedWorker[] = [];
  globalThis.Worker = class SpiedWorkerClass extends Original {
    constructor(url: string | URL, options?: WorkerOptions) {
      super(url, options);
      created.push({ worker: this, name: options?.name });
    }
  };
  return {
    created,
    latest(name) {
      const found = created.findLast((entry) => entry.name === name);
      if (!found) throw new Error(`no Worker named ${name} was created`);
      return found.worker;
    },
    restore() {
      globalThis.Worker = Original;
    },
  };
}
