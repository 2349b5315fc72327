import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import { silentLogger } from '#shared/logger';
import { wireFunctions } from '#local/wire-functions';
import type { FunctionCall, FunctionReply } from '#local/function-threads';

// The body of one function thread: the same wiring as in-process (wireFunctions), answering the
// parent's invocations. Each invocation's event and result cross as Lambda's do, as JSON-like
// values; an error crosses as its name and message (Lambda's errorType and errorMessage).
const functions = wireFunctions(workerData.config as MigrationConfig, {
  clock: systemClock,
  logger: silentLogger,
});
const port = parentPort!;

const run = (call: FunctionCall): Promise<unknown> => {
  switch (call.fn) {
    case 'lazyMigrate':
      return functions.lazyMigrate(call.event);
    case 'groupSync':
      return functions.groupSync(call.event);
    case 'bulkExport':
      return functions.bulkExport(call.event);
    case 'reconcile':
      return functions.reconcile(call.event as never, call.options ?? {});
    case 'idle':
      return functions.idle();
  }
};

port.on('message', (call: FunctionCall | 'close') => {
  if (call === 'close') {
    // Then end the thread even if a socket or timer of a client would keep it alive.
    void functions.close().finally(() => process.exit(0));
    return;
  }
  const fail = (error: unknown) => {
    const err = error instanceof Error ? error : new Error(String(error));
    port.postMessage({
      id: call.id,
      error: { name: err.name, message: err.message },
    } satisfies FunctionReply);
  };
  run(call).then((result) => {
    try {
      port.postMessage({ id: call.id, result: result ?? null } satisfies FunctionReply);
    } catch (error) {
      // A result that cannot cross (a function in it) could not leave Lambda either.
      fail(error);
    }
  }, fail);
});
port.postMessage({ ready: true });
