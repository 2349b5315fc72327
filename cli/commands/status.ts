import { Command } from 'commander';
import { MIGRATION_STATUSES, type MigrationStatus } from '#shared/table/status';
import { getHourlyMigrations, getProgress, recountProgress } from '#shared/table/progress';
import { readLease, runLiveness } from '#shared/table/leases';
import { describeScope, type MigrationScope } from '#shared/migration-scope';
import { getLatestRun, listCheckpoints } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import type { CommandFactory } from '../context';
import { formatDuration, formatTable, percent } from '../output';
import { numberIn } from '../options';

const HOUR = 3_600_000;

/** What `status` reports: counters and hour buckets only, never a scan. */
export interface StatusReport {
  at: string;
  total: number;
  byStatus: Record<MigrationStatus, number>;
  percent: Record<MigrationStatus, number>;
  migratedLastHour: number;
  migratedLastDay: number;
  refusals: Record<string, number>;
  windowEnd: string;
  windowRemainingMs: number;
  /** Users still to move (PENDING), and when they would be done at the last hour's rate. */
  remaining: number;
  etaMs: number | null;
  updatedAt?: string;
  /** The latest bulk sync is recorded RUNNING but its lease stopped beating: it died. */
  staleSync?: { runId: string; leaseExpiredAt?: string; recounted: boolean };
  /**
   * With a migration scope: source users the latest bulk sync read but left out (never in the
   * table; `complete` false while that run is still reading), besides byStatus.OUT_OF_SCOPE, the
   * users who left the scope after they were snapshotted.
   */
  scope?: { description: string; runId?: string; outOfScope: number; complete: boolean };
}

/** The latest run's out-of-scope count: its recorded count once finished, its checkpoints' sum until then. */
const scopeOf = async (table: TableContext, scope: MigrationScope): Promise<StatusReport['scope']> => {
  const description = describeScope(scope);
  const run = await getLatestRun(table);
  if (!run) return { description, outOfScope: 0, complete: false };
  const recorded = run.status === 'SUCCEEDED' ? run.counts?.outOfScope : undefined;
  const outOfScope =
    recorded ??
    (await listCheckpoints(table, run.runId, 'users#')).reduce((sum, c) => sum + (c.outOfScope ?? 0), 0);
  return { description, runId: run.runId, outOfScope, complete: run.status === 'SUCCEEDED' };
};

/**
 * After a bulk sync died (RUNNING, lease expired), its last writes may have landed without
 * their counter updates: the counters are recounted from the status index once, the first time
 * status reports after the lease expired, so the numbers shown are exact.
 */
const repairAfterStaleSync = async (table: TableContext): Promise<StatusReport['staleSync']> => {
  const run = await getLatestRun(table);
  if (run?.status !== 'RUNNING') return undefined;
  const lease = await readLease(table, 'bulk-sync');
  if (runLiveness(lease, run.runId) === 'LIVE') return undefined;
  const expiredAt = lease?.owner === run.runId ? lease.expiresAt : undefined;
  const { recountedAt } = await getProgress(table);
  const recounted = !recountedAt || !expiredAt || recountedAt < expiredAt;
  if (recounted) await recountProgress(table);
  return { runId: run.runId, ...(expiredAt ? { leaseExpiredAt: expiredAt } : {}), recounted };
};

/**
 * Migrations in the `spanMs` before `now`. Buckets are whole hours, so the oldest, partly
 * covered bucket is prorated by how much of it falls inside the span.
 */
export const migrationsWithin = (
  buckets: readonly { hour: string; migrated: number }[],
  now: number,
  spanMs: number,
): number => {
  const from = now - spanMs;
  let sum = 0;
  for (const { hour, migrated } of buckets) {
    const start = Date.UTC(+hour.slice(0, 4), +hour.slice(4, 6) - 1, +hour.slice(6, 8), +hour.slice(8, 10));
    const overlap = Math.min(start + HOUR, now) - Math.max(start, from);
    if (overlap > 0) sum += migrated * Math.min(1, overlap / Math.min(HOUR, now - start));
  }
  return Math.round(sum);
};

export const buildStatusReport = async (
  table: TableContext,
  windowEnd: string,
  migrationScope?: MigrationScope,
): Promise<StatusReport> => {
  const staleSync = await repairAfterStaleSync(table);
  const now = table.clock.now();
  const [progress, buckets, scope] = await Promise.all([
    getProgress(table),
    getHourlyMigrations(table, now - 24 * HOUR, now),
    migrationScope ? scopeOf(table, migrationScope) : undefined,
  ]);
  const migratedLastHour = migrationsWithin(buckets, now, HOUR);
  const remaining = progress.byStatus.PENDING;
  return {
    at: new Date(now).toISOString(),
    total: progress.total,
    byStatus: progress.byStatus,
    percent: Object.fromEntries(
      MIGRATION_STATUSES.map((s) => [
        s,
        progress.total ? Math.round((1000 * progress.byStatus[s]) / progress.total) / 10 : 0,
      ]),
    ) as Record<MigrationStatus, number>,
    migratedLastHour,
    migratedLastDay: migrationsWithin(buckets, now, 24 * HOUR),
    refusals: progress.refusals,
    windowEnd,
    windowRemainingMs: Date.parse(windowEnd) - now,
    remaining,
    etaMs:
      remaining === 0 ? 0 : migratedLastHour > 0 ? Math.round((remaining / migratedLastHour) * HOUR) : null,
    ...(progress.updatedAt ? { updatedAt: progress.updatedAt } : {}),
    ...(staleSync ? { staleSync } : {}),
    ...(scope ? { scope } : {}),
  };
};

export const renderStatus = (report: StatusReport): string[] => {
  const lines = formatTable([
    ['status', 'users', 'share'],
    ...MIGRATION_STATUSES.map((s) => [
      s,
      String(report.byStatus[s]),
      percent(report.byStatus[s], report.total),
    ]),
    ['total', String(report.total), ''],
  ]);
  const refusals = Object.entries(report.refusals)
    .sort(([, a], [, b]) => b - a)
    .map(([reason, n]) => `${reason} ${n}`);
  const window =
    report.windowRemainingMs > 0
      ? `closes ${report.windowEnd} (in ${formatDuration(report.windowRemainingMs)})`
      : `closed ${report.windowEnd} (${formatDuration(report.windowRemainingMs)} ago)`;
  let eta = 'no migrations in the last hour';
  if (report.etaMs === 0) eta = 'nobody left to migrate';
  else if (report.etaMs !== null) {
    eta = `${formatDuration(report.etaMs)} for ${report.remaining} pending at ${report.migratedLastHour}/h`;
    if (report.etaMs > report.windowRemainingMs) eta += ' — after the window closes; expect a reset campaign';
  }
  return [
    ...lines,
    '',
    `migrated         last hour ${report.migratedLastHour}, last 24 h ${report.migratedLastDay}`,
    `refusals         ${refusals.length ? refusals.join(', ') : 'none'}`,
    `window           ${window}`,
    `eta              ${eta}`,
    ...(report.scope
      ? [
          `scope            ${report.scope.description}: ${report.scope.outOfScope} source users out of scope` +
            (report.scope.runId
              ? ` in bulk sync ${report.scope.runId}${report.scope.complete ? '' : ' (so far)'}`
              : ' (no bulk sync yet)') +
            `, ${report.byStatus.OUT_OF_SCOPE} left the scope after their snapshot`,
        ]
      : []),
    ...(report.staleSync
      ? [
          `bulk sync        ${report.staleSync.runId} STALE (lease expired ${report.staleSync.leaseExpiredAt ?? 'or taken'}); counters recounted — resume it with \`sync start --resume ${report.staleSync.runId} --take-over\``,
        ]
      : []),
  ];
};

const waitOrAbort = (ms: number, signal: AbortSignal, sleep: (ms: number) => Promise<void>) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
    void sleep(ms).then(resolve);
  });

/** `status [--watch]`: where the migration stands, from one GetItem and the hour buckets. */
export const statusCommand: CommandFactory = (ctx) =>
  new Command('status')
    .description(
      'users per migration status, recent rate, refusals, window and ETA (reads counters, not a scan)',
    )
    .option('--watch', 'refresh until interrupted')
    .option(
      '--interval <seconds>',
      'refresh interval with --watch (1 to 3600)',
      numberIn({ min: 1, max: 3600 }),
      5,
    )
    .action(async (opts: { watch?: boolean; interval: number }, command: Command) => {
      const output = ctx.output(command);
      await ctx.withConnection(command, async ({ table, config }) => {
        for (;;) {
          const report = await buildStatusReport(table, config.migrationWindowEnd, config.migrationScope);
          if (opts.watch && output.interactive) output.raw('\x1b[2J\x1b[H');
          output.result(report, () => renderStatus(report));
          if (!opts.watch || ctx.deps.signal.aborted) return;
          await waitOrAbort(opts.interval * 1000, ctx.deps.signal, (ms) => ctx.deps.clock.sleep(ms));
          if (ctx.deps.signal.aborted) return;
        }
      });
    });
