import { loadConfig } from '#shared/config';
import { createDeps } from './deps';
import { runTask, type Invocation } from './run-task';
import type { BulkExportDeps } from './types';

let deps: BulkExportDeps | undefined;

/**
 * The bulk-sync state machine's task function: `{ task: 'start' | 'groups' | 'users' |
 * 'memberships' | 'finish' | 'fail', ... }`. Configuration is read and clients are built once
 * per container, on the first event, so a bad configuration fails that task with a ConfigError
 * the state machine records instead of an opaque init failure.
 */
export const handler = async (event: unknown, context?: Invocation): Promise<unknown> => {
  deps ??= createDeps(loadConfig(process.env));
  return runTask(event, deps, context);
};
