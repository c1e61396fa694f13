import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Classification } from '../../sql/sql-types.ts';

/**
 * Parsing costs about 0.2 s per megabyte of SQL, and the gateway's event loop
 * carries every session's relay, audit commits and expiry timers; so texts
 * longer than OFFLOAD_SQL_CHARS are classified on a worker thread instead.
 * One worker serves the whole proxy (such texts are rare); it starts on
 * first use and is replaced if it dies. A text it cannot classify is
 * refused like any other (fail closed).
 */

/** Shorter texts parse in a few milliseconds at most: cheaper than a round trip to the worker. */
export const OFFLOAD_SQL_CHARS = 64 * 1024;

/**
 * The sources run through tsx (ADR 0001), and a worker thread does not
 * inherit a loader registered at run time, so the worker registers it first.
 * In the prebuilt bundle (ADR 0010) this module is part of dist/server/main.js
 * and the worker is its own entry point next to it, plain JavaScript.
 */
const BOOTSTRAP = (() => {
  if (import.meta.url.endsWith('.js')) return `import(${JSON.stringify(new URL('./postgres-statement-gate-worker.js', import.meta.url).href)});`;
  const tsx = esmUrlOf('tsx/esm/api');
  const entry = new URL('./postgres-statement-gate-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); });`;
})();

/** The ESM entry of a package (import.meta.resolve is missing under some test runners' module transforms). */
function esmUrlOf(specifier: string): string {
  const meta = import.meta as { resolve?: (specifier: string) => string };
  if (typeof meta.resolve === 'function') return meta.resolve(specifier);
  return pathToFileURL(createRequire(import.meta.url).resolve(specifier).replace(/\.cjs$/, '.mjs')).href;
}

type Reply = { readonly id: number; readonly result: Classification } | { readonly ready: true };

export class OffloadedClassifier {
  readonly #logger: Logger;
  readonly #pending = new Map<number, (result: Classification) => void>();
  #worker: Worker | null = null;
  #nextId = 1;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  classify(sql: string): Promise<Classification> {
    const worker = this.#worker ?? this.#start();
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      worker.postMessage({ id, sql });
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    if (worker !== null) await worker.terminate();
  }

  #start(): Worker {
    const worker = new Worker(BOOTSTRAP, { eval: true });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      if ('ready' in reply) return;
      const resolve = this.#pending.get(reply.id);
      this.#pending.delete(reply.id);
      resolve?.(reply.result);
    });
    const fail = (why: string): void => {
      if (this.#worker === worker) this.#worker = null;
      for (const resolve of this.#pending.values()) resolve({ ok: false, error: `the SQL classifier stopped (${why}); try again` });
      this.#pending.clear();
    };
    worker.on('error', (error) => {
      this.#logger.error({ err: error }, 'SQL classifier worker failed');
      fail(error.message);
    });
    worker.on('exit', (code) => fail(`exit code ${code}`));
    this.#worker = worker;
    return worker;
  }
}
