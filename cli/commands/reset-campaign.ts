import { Command } from 'commander';
import { silentLogger } from '#shared/logger';
import { getProgress } from '#shared/table/progress';
import { createDeps } from '../../functions/reconcile/deps';
import { dispatch } from '../../functions/reconcile/dispatch';
import type { CampaignReport, ReconcileReport } from '../../functions/reconcile/report';
import type { Connection } from '../connection';
import { CliError, EXIT } from '../exit-codes';
import type { CommandFactory } from '../context';
import { formatTable, type Output } from '../output';
import { positiveInteger } from '../options';

/** A CLI run has no Lambda timeout; the campaign is resumable anyway, so a day is plenty. */
const CLI_BUDGET_MS = 24 * 3_600_000;

/** The reconcile function's logic, run in this process with the operator's credentials. */
export const reconcileDepsFor = (connection: Connection) => ({
  ...createDeps(connection.config, connection.table.clock),
  logger: silentLogger,
  budgetMs: CLI_BUDGET_MS,
});

/** Runs `work` while a bar follows how many flagged users are left (one GetItem a tick). */
const withFlaggedProgress = async <T>(
  connection: Connection,
  output: Output,
  total: number,
  work: Promise<T>,
) => {
  const bar = output.progress('reset campaign', total);
  let done = false;
  void work.finally(() => (done = true)).catch(() => undefined);
  while (!done) {
    await Promise.race([connection.table.clock.sleep(1000), work.catch(() => undefined)]);
    const progress = await getProgress(connection.table).catch(() => undefined);
    if (progress) bar.update(total - progress.byStatus.FLAGGED_FOR_RESET);
  }
  bar.stop();
  return work;
};

export const renderCampaign = (report: CampaignReport): string[] => [
  `${report.dryRun ? 'dry run' : 'reset campaign'} ${report.complete ? 'complete' : 'INCOMPLETE (rerun to continue)'}`,
  ...formatTable([['outcome', 'users'], ...Object.entries(report.counts).map(([k, v]) => [k, String(v)])]),
  ...Object.entries(report.users).flatMap(([outcome, users]) => [
    '',
    `${outcome}:`,
    ...(users ?? []).slice(0, 20).map((u) => `  ${u.username}${u.reason ? `  ${u.reason}` : ''}`),
    ...((users?.length ?? 0) > 20 ? [`  ... ${(users?.length ?? 0) - 20} more (use --json)`] : []),
  ]),
  ...(report.aborted ? ['', `stopped by ${report.aborted.error}: ${report.aborted.message}`] : []),
];

/** `reset-campaign`: the end-of-window campaign, run from the operator's terminal. */
export const resetCampaignCommand: CommandFactory = (ctx) =>
  new Command('reset-campaign')
    .description(
      'create every FLAGGED_FOR_RESET user in the target from the snapshot, restore groups, send a reset code',
    )
    .option('--dry-run', 'count and sample; write nothing')
    .option('--limit <n>', 'at most this many users, at least 1 (a first small batch)', positiveInteger)
    .option('--yes', 'do not ask for confirmation')
    .option('--take-over', 'take over the campaign lease of a campaign that died (its lease is STALE)')
    .action(
      async (
        opts: { dryRun?: boolean; limit?: number; yes?: boolean; takeOver?: boolean },
        command: Command,
      ) => {
        const output = ctx.output(command);
        await ctx.withConnection(command, async (connection) => {
          const flagged = (await getProgress(connection.table)).byStatus.FLAGGED_FOR_RESET;
          const count = Math.min(flagged, opts.limit ?? Infinity);
          if (!opts.dryRun && !opts.yes) {
            const question = `Create ${count} user(s) in ${connection.config.target.userPoolId} and send each a reset code?`;
            if (!ctx.deps.confirm)
              throw new CliError(
                EXIT.USAGE,
                `${question} Confirmation needed`,
                'pass --yes, or --dry-run first',
              );
            if (!(await ctx.deps.confirm(question)))
              throw new CliError(EXIT.FAILED, 'cancelled; nothing was changed');
          }
          const run = dispatch(
            {
              action: 'reset-campaign',
              ...(opts.dryRun ? { dryRun: true } : {}),
              ...(opts.limit !== undefined ? { limit: opts.limit } : {}),
              ...(opts.takeOver ? { takeOver: true } : {}),
            },
            reconcileDepsFor(connection),
          ) as Promise<CampaignReport>;
          const report = await withFlaggedProgress(connection, output, count, run);
          output.result(report, () => renderCampaign(report));
          if (report.aborted)
            throw new CliError(
              EXIT.OPERATIONAL,
              `campaign stopped: ${report.aborted.message}`,
              'fix the cause and rerun; finished users are not reset twice',
            );
        });
      },
    );

/** `reconcile`: the scheduled reconciler's pass, run from the operator's terminal. */
export const reconcileCommand: CommandFactory = (ctx) =>
  new Command('reconcile')
    .description('repair unrecorded migrations; after the window end, flag every PENDING user for reset')
    .option('--dry-run', 'report what would change; write nothing')
    .action(async (opts: { dryRun?: boolean }, command: Command) => {
      const output = ctx.output(command);
      await ctx.withConnection(command, async (connection) => {
        const report = (await dispatch(
          { action: 'reconcile', ...(opts.dryRun ? { dryRun: true } : {}) },
          reconcileDepsFor(connection),
        )) as ReconcileReport;
        output.result(report, () => [
          `window ${report.windowEnded ? 'closed' : 'open'}`,
          `repaired ${report.repair.repaired.length} unrecorded migration(s) of ${report.repair.examined} examined` +
            (report.repair.conflicts.length ? `, ${report.repair.conflicts.length} conflict(s)` : ''),
          ...(report.flag
            ? [
                `flagged ${report.flag.flagged.length} for reset, ${report.flag.sourceDeleted.length} gone from the source` +
                  (report.flag.outOfScope.length ? `, ${report.flag.outOfScope.length} out of scope` : ''),
              ]
            : []),
          ...(report.events && report.events.examined > 0
            ? [
                `republished ${report.events.published} stale migration event(s)` +
                  (report.events.failed ? `, ${report.events.failed} failed again` : ''),
              ]
            : []),
        ]);
      });
    });
