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

/**
 * Kept back from the continuation's remaining Lambda time, to hand on and return cleanly: a fifth
 * of it, at most 5 s. A fixed 5 s left nothing of group-sync's own 5 s timeout (the trigger's),
 * so the continuation applied no group and only handed on until it gave up.
 */
const CONTINUATION_MARGIN_MS = 5_000;
const CONTINUATION_MARGIN_SHARE = 0.2;

/** The continuation's budget from the invocation's remaining time. */
export const continuationBudgetMs = (remainingMs: number): number =>
  Math.max(0, remainingMs - Math.min(CONTINUATION_MARGIN_MS, remainingMs * CONTINUATION_MARGIN_SHARE));
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
      ? continuationBudgetMs(context.getRemainingTimeInMillis())
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
