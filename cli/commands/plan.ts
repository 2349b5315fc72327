import { Command } from 'commander';
import type { CommandFactory } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { analysePlan } from '../plan/analyse';
import { rateFor } from '../plan/estimate';
import { renderPlan } from '../plan/render';
import { scanSource } from '../plan/scan';

/**
 * `plan`: reads the source pool (and only reads it) with the operator's credentials or the
 * configured source role, within the configured quota share, and reports the population, the
 * login keys several users share, who the reset campaign cannot reach or must leave to a person,
 * groups, and the durations and cost of the migration. Exit 1 on a BLOCKER.
 */
export const planCommand: CommandFactory = (ctx) =>
  new Command('plan')
    .description(
      'read the source pool (read-only, within the quota share) and report what the migration will meet: population, collisions, campaign reach, groups, durations, cost',
    )
    .option('--no-mfa-detail', "skip AdminGetUser per user (UserRead quota); MFA factors are then 'unknown'")
    .action(async (opts: { mfaDetail: boolean }, command: Command) => {
      const output = ctx.output(command);
      const report = await ctx.withConnection(command, async ({ source, config }) => {
        const scan = await scanSource(source, config.source.userPoolId, {
          mfaDetail: opts.mfaDetail,
          ...(config.migrationScope ? { scope: config.migrationScope } : {}),
          progress: (label, total) => output.progress(label, total),
          onDescribed: (pool) => {
            // The scan spends quota too: say up front how long it takes at the share.
            const users = pool.EstimatedNumberOfUsers ?? 0;
            const mfa = opts.mfaDetail && (pool.MfaConfiguration ?? 'OFF') !== 'OFF';
            const seconds =
              users / 60 / rateFor(config, 'UserList') + (mfa ? users / rateFor(config, 'UserRead') : 0);
            output.note(
              `reading about ${users} users of ${config.source.userPoolId}: about ${Math.ceil(seconds / 60)} min at the quota share` +
                (mfa ? ' (one AdminGetUser per user for MFA; --no-mfa-detail skips it)' : ''),
            );
          },
        });
        return analysePlan(scan, config.source.userPoolId, config);
      });
      output.result(report, () => renderPlan(report));
      if (!report.ok) throw new CliError(EXIT.FAILED);
    });
