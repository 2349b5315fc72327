import { loadConfig } from '#shared/config';
import { oncePerColdStart, resolveSecrets } from '#shared/secrets';
import { createDeps } from './deps';
import { runTask, type Invocation } from './run-task';

/**
 * Configuration and secrets are read and clients are built once per container, on the first
 * event, so a bad configuration fails that task with a ConfigError the state machine records
 * instead of an opaque init failure.
 */
const deps = oncePerColdStart(async () => createDeps(await resolveSecrets(loadConfig(process.env))));

/**
 * The bulk-sync state machine's task function: `{ task: 'start' | 'groups' | 'users' |
 * 'memberships' | 'finish' | 'fail', ... }`.
 */
export const handler = async (event: unknown, context?: Invocation): Promise<unknown> =>
  runTask(event, await deps(), context);
