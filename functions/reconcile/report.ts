import type { MigrationStatus } from '#shared/table/status';
import type { FlagResult } from './flag-stragglers';
import type { RepairResult } from './repair';
import type { RepublishResult } from './republish-events';

/** What the campaign did with one flagged user. */
export type CampaignOutcome =
  /** Created in the target, groups restored, reset code sent: RESET_SENT. */
  | 'reset-sent'
  /** Signed in (lazy migration) before the campaign reached them: MIGRATED, never reset. */
  | 'migrated'
  /** Cannot be reset without a person deciding (federated or unconfirmed in the source, no verified contact, disabled: created disabled or skipped, ...). */
  | 'needs-admin'
  /** Not the campaign's to handle now (no longer flagged, or another run holds it). */
  | 'skipped'
  /** Dry run: would be created and reset. */
  | 'would-reset';

export const CAMPAIGN_OUTCOMES: readonly CampaignOutcome[] = [
  'reset-sent',
  'migrated',
  'needs-admin',
  'skipped',
  'would-reset',
];

export interface UserOutcome {
  username: string;
  outcome: CampaignOutcome;
  /** A reason code: NO_VERIFIED_CONTACT, FEDERATED_USER, SOURCE_UNCONFIRMED, DISABLED_IN_SOURCE, SIGNED_IN, RESUMED, ... */
  reason?: string;
  /** Something short of failure worth an operator's look (e.g. GROUPS_INCOMPLETE). */
  warning?: string;
}

/** A dry run's preview of one user: what would be written to the target, attribute values left out. */
export interface CampaignSample extends UserOutcome {
  targetUsername?: string;
  attributeNames?: string[];
  groups?: string[];
  disabled?: boolean;
}

/** The campaign's report, as the CLI prints it (JSON). */
export interface CampaignReport {
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  /** False when the limit, the budget or an error stopped it before every flagged user was seen. */
  complete: boolean;
  counts: Record<CampaignOutcome, number>;
  /** The users of every outcome other than `reset-sent` / `would-reset`, with their reason. */
  users: Partial<Record<CampaignOutcome, { username: string; reason?: string; warning?: string }[]>>;
  /** Users reset with a warning. */
  warnings: { username: string; warning: string }[];
  sample?: CampaignSample[];
  /** The error that stopped the run; a rerun continues where it stopped. */
  aborted?: { error: string; message: string };
}

const SUCCESS: ReadonlySet<CampaignOutcome> = new Set(['reset-sent', 'would-reset']);

export const buildCampaignReport = (
  outcomes: readonly UserOutcome[],
  run: Pick<CampaignReport, 'dryRun' | 'startedAt' | 'finishedAt' | 'complete' | 'sample' | 'aborted'>,
): CampaignReport => {
  const counts = Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, 0])) as Record<CampaignOutcome, number>;
  const users: CampaignReport['users'] = {};
  const warnings: CampaignReport['warnings'] = [];
  const sorted = [...outcomes].sort((a, b) => a.username.localeCompare(b.username));
  for (const { username, outcome, reason, warning } of sorted) {
    counts[outcome] += 1;
    if (warning) warnings.push({ username, warning });
    if (SUCCESS.has(outcome)) continue;
    (users[outcome] ??= []).push({
      username,
      ...(reason ? { reason } : {}),
      ...(warning ? { warning } : {}),
    });
  }
  return {
    dryRun: run.dryRun,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    complete: run.complete,
    counts,
    users,
    warnings,
    ...(run.sample ? { sample: run.sample } : {}),
    ...(run.aborted ? { aborted: run.aborted } : {}),
  };
};

/** The scheduled reconciler's report. */
export interface ReconcileReport {
  action: 'reconcile';
  dryRun: boolean;
  windowEnded: boolean;
  repair: RepairResult;
  flag?: FlagResult;
  campaign?: CampaignReport;
  /** Why the scheduled campaign did not run this round (another campaign holds the lease). */
  campaignSkipped?: string;
  /** UserMigrated events whose publisher failed or stopped, published again by this pass. */
  events?: RepublishResult;
  /** Users per status after the run, recounted from the status index (dry run: as counted). */
  statusCounts?: Record<MigrationStatus, number>;
  total?: number;
}
