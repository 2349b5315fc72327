import type { Context, PostAuthenticationTriggerEvent, PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { InvalidInputError } from '#shared/errors';
import {
  handleApplyGroupsEvent,
  handlePostAuthentication,
  type ApplyGroupsEvent,
  type ApplyOutcome,
  type PostAuthenticationDeps,
} from './post-authentication';
import { handlePreTokenGeneration } from './pre-token-generation';

export type GroupSyncEvent =
  PostAuthenticationTriggerEvent | PreTokenGenerationTriggerEvent | ApplyGroupsEvent;

/** Kept back from the continuation's remaining Lambda time, to hand on and return cleanly. */
const CONTINUATION_MARGIN_MS = 5_000;
/** The continuation's budget when no Lambda context tells the remaining time (local runs). */
const DEFAULT_CONTINUATION_MS = 60_000;

/** Routes one invocation of group-sync by its `triggerSource`, or by `kind` for its own event. */
export const dispatch = async (
  event: GroupSyncEvent,
  deps: PostAuthenticationDeps,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<GroupSyncEvent | { outcome: ApplyOutcome }> => {
  if ('kind' in event) {
    const remaining = context
      ? context.getRemainingTimeInMillis() - CONTINUATION_MARGIN_MS
      : DEFAULT_CONTINUATION_MS;
    return { outcome: await handleApplyGroupsEvent(event, deps, { deadlineMs: remaining }) };
  }
  const source = (event as { triggerSource?: unknown }).triggerSource;
  if (source === 'PostAuthentication_Authentication') {
    return handlePostAuthentication(event as PostAuthenticationTriggerEvent, deps);
  }
  if (typeof source === 'string' && source.startsWith('TokenGeneration_')) {
    return handlePreTokenGeneration(event as PreTokenGenerationTriggerEvent, deps);
  }
  throw new InvalidInputError(`group-sync does not handle triggerSource ${JSON.stringify(source)}`);
};
