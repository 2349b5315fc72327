import { loadConfig } from '#shared/config';
import { createDeps } from './deps';
import { dispatch, type ReconcileEvent } from './dispatch';

const deps = createDeps(loadConfig(process.env));

/** The reconcile Lambda: the schedule sends `{ action: 'reconcile' }`, the CLI either action. */
export const handler = (event: ReconcileEvent) => dispatch(event, deps);
