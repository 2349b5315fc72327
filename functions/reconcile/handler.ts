import { loadConfig } from '#shared/config';
import { oncePerColdStart, resolveSecrets } from '#shared/secrets';
import { createDeps } from './deps';
import { dispatch, type ReconcileEvent } from './dispatch';

const deps = oncePerColdStart(async () => createDeps(await resolveSecrets(loadConfig(process.env))));

/** The reconcile Lambda: the schedule sends `{ action: 'reconcile' }`, the CLI either action. */
export const handler = async (event: ReconcileEvent) => dispatch(event, await deps());
