import { InvalidInputError } from '#shared/errors';
import type { ReconcileDeps } from './deps';
import { reconcile } from './reconcile';
import type { CampaignReport, ReconcileReport } from './report';
import { runResetCampaign } from './reset-campaign';

/** The reconcile function's event. */
export interface ReconcileEvent {
  action: 'reconcile' | 'reset-campaign';
  dryRun?: boolean;
  limit?: number;
  /** Take over a STALE campaign lease (reset-campaign only). */
  takeOver?: boolean;
}

const parse = (event: unknown): ReconcileEvent => {
  const { action, dryRun, limit, takeOver } = (event ?? {}) as Record<string, unknown>;
  if (action !== 'reconcile' && action !== 'reset-campaign') {
    throw new InvalidInputError(
      `action must be "reconcile" or "reset-campaign", got ${JSON.stringify(action)}`,
    );
  }
  if (dryRun !== undefined && typeof dryRun !== 'boolean')
    throw new InvalidInputError('dryRun must be a boolean');
  if (takeOver !== undefined && typeof takeOver !== 'boolean')
    throw new InvalidInputError('takeOver must be a boolean');
  if (limit !== undefined && !(Number.isInteger(limit) && (limit as number) > 0)) {
    throw new InvalidInputError(`limit must be a positive integer, got ${JSON.stringify(limit)}`);
  }
  return {
    action,
    ...(dryRun !== undefined ? { dryRun } : {}),
    ...(limit !== undefined ? { limit: limit as number } : {}),
    ...(takeOver !== undefined ? { takeOver } : {}),
  };
};

/** Validates the event, then runs the requested action. Bad input throws before anything is read or written. */
export const dispatch = async (
  event: unknown,
  deps: ReconcileDeps,
): Promise<ReconcileReport | CampaignReport> => {
  const { action, ...options } = parse(event);
  deps.logger.info('reconcile invoked', { reason: action, ...options });
  return action === 'reconcile' ? reconcile(deps, options) : runResetCampaign(deps, options);
};
