import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { silentLogger } from '#shared/logger';
import { createDeps as createReconcileDeps } from '../functions/reconcile/deps';
import type { ReconcileEvent } from '../functions/reconcile/dispatch';
import { bulkSyncOver, type LocalFunctions } from '#local/wire-functions';

/** An invocation sent to a function thread. */
export type FunctionCall = { id: number } & (
  | { fn: 'lazyMigrate' | 'groupSync' | 'bulkExport'; event: unknown; options?: undefined }
  | { fn: 'reconcile'; event: ReconcileEvent; options?: { windowClosed?: boolean } }
  | { fn: 'idle'; event?: undefined; options?: undefined }
);

/** A function thread's answer: the handler's result, or its error's name and message. */
export type FunctionReply =
  { id: number; result: unknown } | { id: number; error: { name: string; message: string } };

/** The error a handler threw in its thread, with the name it had there (what Retry/Catch match). */
export class FunctionThreadError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

interface FunctionThread {
  worker: Worker;
  inFlight: number;
}

const BOOTSTRAP = join(__dirname, 'function-thread.cjs');
const FUNCTION_THREAD_HEAP_MB = 128;

const startThread = async (config: MigrationConfig, onReply: (reply: FunctionReply) => void) => {
  // execArgv [] so a parent's loader flags (tsx's, jest's) are not inherited: the bootstrap
  // registers tsx itself.
  const worker = new Worker(BOOTSTRAP, {
    workerData: { config },
    execArgv: [],
    // The functions keep little between invocations, but churn through SDK garbage: without a
    // cap V8 lets this heap grow to hundreds of MB before collecting (demo peak RSS +70 MB at
    // 3,000 users). What the thread keeps is far below the functions' Lambda sizes (256 MB and up).
    resourceLimits: { maxOldGenerationSizeMb: FUNCTION_THREAD_HEAP_MB },
  });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (message: { ready?: boolean }) => {
      if (!message.ready) return;
      worker.off('error', reject);
      resolve();
    };
    worker.once('message', onMessage);
    worker.once('error', reject);
  });
  worker.on('message', onReply);
  // An uncaught error ends the thread; its 'exit' fails what was in flight (failOnExit). Without a
  // listener the 'error' event would take the whole process down with it.
  worker.on('error', () => undefined);
  return { worker, inFlight: 0 };
};

/** A thread that ends while invocations are in flight fails them, as a crashed environment would. */
const failOnExit = (
  threads: FunctionThread[],
  waiting: Map<number, { reject: (error: Error) => void }>,
  closing: () => boolean,
) => {
  for (const { worker } of threads) {
    worker.once('exit', (code) => {
      if (closing()) return;
      for (const [id, call] of waiting) {
        waiting.delete(id);
        call.reject(new FunctionThreadError('Runtime.ExitError', `a function thread exited (code ${code})`));
      }
    });
  }
};

/**
 * The same functions as wireFunctions, each invocation run in one of `threads` worker threads
 * (like Lambda's execution environments, each with its own clients built by `createDeps`), so
 * the functions' SDK work runs on other cores than the emulator and the state-machine runner.
 * The system clock and a silent logger only: neither a ManualClock nor a logger crosses threads.
 */
export const wireFunctionsInThreads = async (
  config: MigrationConfig,
  options: { threads: number },
): Promise<LocalFunctions> => {
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const onReply = (reply: FunctionReply) => {
    const call = waiting.get(reply.id);
    if (!call) return;
    waiting.delete(reply.id);
    if ('error' in reply) call.reject(new FunctionThreadError(reply.error.name, reply.error.message));
    else call.resolve(reply.result);
  };
  const threads: FunctionThread[] = await Promise.all(
    Array.from({ length: Math.max(1, options.threads) }, () => startThread(config, onReply)),
  );
  let closing = false;
  failOnExit(threads, waiting, () => closing);
  let nextId = 1;
  const send = (thread: FunctionThread, call: Omit<FunctionCall, 'id'>): Promise<unknown> => {
    const id = nextId++;
    thread.inFlight += 1;
    return new Promise<unknown>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      thread.worker.postMessage({ ...call, id });
    }).finally(() => {
      thread.inFlight -= 1;
    });
  };
  // The least busy thread takes the next invocation.
  const invoke = (call: Omit<FunctionCall, 'id'>) =>
    send(
      threads.reduce((a, b) => (b.inFlight < a.inFlight ? b : a)),
      call,
    );
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const handler = (fn: 'lazyMigrate' | 'groupSync' | 'bulkExport') => (event: any) => invoke({ fn, event });
  const bulkExport = handler('bulkExport');
  return {
    lazyMigrate: handler('lazyMigrate'),
    groupSync: handler('groupSync'),
    bulkExport,
    bulkSync: bulkSyncOver(bulkExport),
    reconcile: (event, reconcileOptions = {}) =>
      invoke({ fn: 'reconcile', event, options: reconcileOptions }),
    reconcileDeps: (clock?: Clock) => ({
      ...createReconcileDeps(config, clock),
      logger: silentLogger,
    }),
    idle: async () => {
      await Promise.all(threads.map((thread) => send(thread, { fn: 'idle' })));
    },
    close: async () => {
      closing = true;
      await Promise.all(
        threads.map(async ({ worker }) => {
          const exited = new Promise((resolve) => worker.once('exit', resolve));
          worker.postMessage('close');
          await exited;
        }),
      );
    },
  };
};
