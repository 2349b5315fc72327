import { join } from 'node:path';
import type { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Clock } from '#shared/clock';
import type { MigrationConfig } from '#shared/config';
import type { AppLogger } from '#shared/logger';
import { createDeps as createLazyMigrateDeps } from '../functions/lazy-migrate/deps';
import { handleLazyMigrate, type LazyMigrateEvent } from '../functions/lazy-migrate/migrate-user';
import { noMetrics } from '../functions/lazy-migrate/metrics';
import { createDeps as createGroupSyncDeps } from '../functions/group-sync/deps';
import { dispatch as dispatchGroupSync, type GroupSyncEvent } from '../functions/group-sync/dispatch';
import { createDeps as createReconcileDeps, type ReconcileDeps } from '../functions/reconcile/deps';
import { dispatch as dispatchReconcile, type ReconcileEvent } from '../functions/reconcile/dispatch';
import { createDeps as createBulkExportDeps } from '../functions/bulk-export/deps';
import { runTask } from '../functions/bulk-export/run-task';
import { runStateMachine, type ExecutionResult } from '#local/stepfunctions/index';
import { LOCAL_FUNCTION_ARNS } from '#local/pool-settings';

/** The bulk-sync definition, the same file CDK deploys. */
export const BULK_SYNC_DEFINITION = join(__dirname, '..', 'statemachines', 'bulk-sync.asl.json');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (event: any) => Promise<any>;

/** The project's handler logic, with deps pointing at the local endpoints. */
/** The bulk-sync state machine file, run with `bulkExport` as its task function. */
export const bulkSyncOver =
  (bulkExport: Handler): LocalFunctions['bulkSync'] =>
  (input = {}, executionName) =>
    runStateMachine({
      definitionFile: BULK_SYNC_DEFINITION,
      substitutions: { BulkExportFunctionArn: LOCAL_FUNCTION_ARNS.bulkExport },
      lambdas: { [LOCAL_FUNCTION_ARNS.bulkExport]: bulkExport },
      input,
      ...(executionName ? { executionName } : {}),
    });

export interface LocalFunctions {
  lazyMigrate: Handler;
  groupSync: Handler;
  bulkExport: Handler;
  /** Runs statemachines/bulk-sync.asl.json to the end, its tasks calling `bulkExport` in-process. */
  bulkSync(input?: Record<string, unknown>, executionName?: string): Promise<ExecutionResult>;
  /**
   * Invokes the reconcile function (`{ action: 'reconcile' | 'reset-campaign' }`); `windowClosed`
   * runs it as after migrationWindowEnd.
   */
  reconcile(event: ReconcileEvent, options?: { windowClosed?: boolean }): Promise<unknown>;
  /** Deps for the reconciler and reset campaign; `clock` lets a caller close the window. */
  reconcileDeps(clock?: Clock): ReconcileDeps;
  /** Trigger handlers by the ARN the target pool's LambdaConfig names. @default the local ARNs */
  triggers?: Record<string, Handler>;
  /** Waits for asynchronous invocations (group-sync continuations) still running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds each function's deps the way its handler does (`createDeps(config)`), swapping only what
 * a single process needs: a quiet logger, no metrics, and an in-process stand-in for Lambda's
 * asynchronous Invoke (group-sync hands a long group list to itself that way).
 */
export const wireFunctions = (
  config: MigrationConfig,
  options: { clock: Clock; logger: AppLogger },
): LocalFunctions => {
  const lazyDeps = {
    ...createLazyMigrateDeps(config, options.clock),
    logger: options.logger,
    metrics: noMetrics,
  };
  const pending = new Set<Promise<unknown>>();
  const groupDeps = createGroupSyncDeps(config, { functionName: 'group-sync' });
  const groupSync: Handler = (event: GroupSyncEvent) => dispatchGroupSync(event, localGroupDeps);
  const lambda = {
    send: async (command: InvokeCommand) => {
      const payload = JSON.parse(
        Buffer.from(command.input.Payload as Uint8Array).toString('utf8'),
      ) as GroupSyncEvent;
      // InvocationType Event: Lambda queues it and answers 202 at once.
      const run = groupSync(payload).catch(() => undefined);
      pending.add(run);
      void run.finally(() => pending.delete(run));
      return { StatusCode: 202 };
    },
  } as unknown as LambdaClient;
  const localGroupDeps = { ...groupDeps, logger: options.logger, clock: options.clock, lambda };
  const bulkDeps = {
    ...createBulkExportDeps(config, { clock: options.clock, logger: options.logger }),
    // Lambda publishes EMF lines from stdout; in one process they would only clutter the CLI's output.
    countExported: undefined,
  };
  const bulkExport: Handler = (event) => runTask(event, bulkDeps);
  const idle = async () => {
    while (pending.size > 0) await Promise.all([...pending]);
  };
  return {
    lazyMigrate: (event: LazyMigrateEvent) => handleLazyMigrate(event, lazyDeps),
    groupSync,
    bulkExport,
    bulkSync: bulkSyncOver(bulkExport),
    reconcile: (event, { windowClosed = false } = {}) => {
      const end = Date.parse(config.migrationWindowEnd);
      // The reconciler's clock moves a day past migrationWindowEnd.
      const clock: Clock = windowClosed
        ? { now: () => end + 86_400_000 + (options.clock.now() % 86_400_000), sleep: options.clock.sleep }
        : options.clock;
      const deps = { ...createReconcileDeps(config, clock), logger: options.logger };
      return dispatchReconcile(event, deps).finally(() => {
        deps.source.destroy();
        deps.target.destroy();
        deps.events?.destroy();
        deps.table.doc.destroy();
      });
    },
    reconcileDeps: (clock = options.clock) => ({
      ...createReconcileDeps(config, clock),
      logger: options.logger,
    }),
    idle,
    close: async () => {
      await idle();
      lazyDeps.source.destroy();
      lazyDeps.table.doc.destroy();
      groupDeps.cognito.destroy();
      groupDeps.events?.destroy();
      groupDeps.table.doc.destroy();
      bulkDeps.source.destroy();
      bulkDeps.target.destroy();
      bulkDeps.table.doc.destroy();
    },
  };
};
