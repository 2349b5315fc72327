import type { Context } from 'aws-lambda';
import { loadConfig } from '#shared/config';
import { oncePerColdStart, resolveSecrets } from '#shared/secrets';
import { createDeps } from './deps';
import { dispatch, type GroupSyncEvent } from './dispatch';

const deps = oncePerColdStart(async () =>
  createDeps(await resolveSecrets(loadConfig(process.env)), {
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
  }),
);

/** PostAuthentication_Authentication, TokenGeneration_* (V1 event) and the `apply-groups` continuation. */
export const handler = async (event: GroupSyncEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>) =>
  dispatch(event, await deps(), context);
