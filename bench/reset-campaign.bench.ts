/**
 * Reset campaign throughput against its quotas: N flagged users (optionally in G groups each)
 * reset by the real campaign (functions/reconcile) through the Cognito emulator with AWS's
 * default quotas and dynalite. Per user the campaign spends 1 UserCreation (AdminCreateUser),
 * 1 + G UserUpdate (AdminSetUserPassword, AdminAddUserToGroup per group) and 1
 * UserAccountRecovery (AdminResetUserPassword); the binding category is the one whose ceiling at
 * the configured share, divided by its calls per user, is lowest. Goal: ≥ 0.9 of that ceiling.
 *
 *   npx tsx bench/reset-campaign.bench.ts [--users 300] [--groups 1] [--share 0.5]
 *     [--concurrency 8] [--latency 50] [--time-scale 1]
 *
 * Real time by default (≈50 s at the defaults). --time-scale dilates the clock of the emulator,
 * the limiters and the campaign alike (one second lasts `time-scale` real seconds); figures are
 * in that clock, so ratios do not change.
 */
import { TooManyRequestsException } from '@aws-sdk/client-cognito-identity-provider';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { Clock } from '#shared/clock';
import { parseConfig } from '#shared/config';
import { silentLogger } from '#shared/logger';
import { QUOTA_DEFAULTS } from '#shared/quotas';
import { transitionStatus } from '#shared/table/users';
import { startCognitoEmulator } from '#local/cognito/index';
import { createDeps } from '../functions/reconcile/deps';
import { runResetCampaign } from '../functions/reconcile/reset-campaign';
import { createPools, seedSnapshot } from '../test/integration/reconcile/harness';
import { startLocalTables } from '../test/support/local-table';
import { aSourceUser } from '../test/support/users';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '300' },
    groups: { type: 'string', default: '1' },
    share: { type: 'string', default: '0.5' },
    concurrency: { type: 'string', default: '8' },
    latency: { type: 'string', default: '50' },
    'time-scale': { type: 'string', default: '1' },
  },
});
const users = Number(args.users);
const groupsPerUser = Number(args.groups);
const share = Number(args.share);
const concurrency = Number(args.concurrency);
const latencyMs = Number(args.latency);
const scale = Number(args['time-scale']);
const GROUP_COUNT = 5;

/** A clock on which one second lasts `factor` real seconds (factor 1: real time). */
const dilatedClock = (factor: number): Clock => {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) / factor,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) * factor)),
  };
};

const main = async () => {
  const clock = dilatedClock(scale);
  const accepted = new Map<string, number>();
  const emulator = await startCognitoEmulator({
    clock,
    quotas: 'default',
    // Called only for calls the quota let through, so it doubles as a per-operation count.
    latency: (operation) => {
      accepted.set(operation, (accepted.get(operation) ?? 0) + 1);
      return latencyMs;
    },
  });
  const tables = await startLocalTables();
  const table = await tables.newTable(clock);
  const pools = await createPools(emulator);
  const groupNames = Array.from({ length: GROUP_COUNT }, (_, g) => `group-${g}`);
  // Bulk sync pre-creates the groups in the target; the campaign only adds members.
  for (const GroupName of groupNames)
    await emulator.call('CreateGroup', { UserPoolId: pools.target.poolId, GroupName });
  const snapshot = Array.from({ length: users }, (_, i) => ({
    ...aSourceUser({ username: `flagged-${String(i).padStart(6, '0')}` }),
    groups: Array.from({ length: groupsPerUser }, (_, g) => groupNames[(i + g) % GROUP_COUNT]!),
  }));
  await seedSnapshot(table, snapshot, groupsPerUser > 0 ? groupNames : []);
  for (const { username } of snapshot)
    await transitionStatus(table, username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });

  const config = parseConfig({
    source: { userPoolId: pools.source.poolId, migrationClientId: 'unused' },
    target: { userPoolId: pools.target.poolId },
    tableName: table.tableName,
    migrationWindowEnd: new Date(clock.now() - 3600_000).toISOString(),
    quotaShare: share,
    endpoints: { cognito: emulator.endpoint, dynamodb: tables.dynamo.endpoint },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const deps = { ...createDeps(config, clock), logger: silentLogger, concurrency };
  let throttled = 0;
  // After the retry middleware, like the rate limiter: every attempt is seen, retries included.
  deps.target.middlewareStack.addRelativeTo(
    <A, O>(next: (a: A) => Promise<O>) =>
      async (a: A): Promise<O> => {
        try {
          return await next(a);
        } catch (error) {
          if (error instanceof TooManyRequestsException) throttled += 1;
          throw error;
        }
      },
    { relation: 'after', toMiddleware: 'retryMiddleware', name: 'benchThrottleCounter' },
  );
  // The schema is read once per run; load it first so the timed part is the campaign's users.
  await deps.targetSchema();
  accepted.clear();

  const startedAt = clock.now();
  const wallStarted = performance.now();
  const report = await runResetCampaign(deps, { limit: users });
  const seconds = (clock.now() - startedAt) / 1000;
  const wallSeconds = (performance.now() - wallStarted) / 1000;
  if (report.aborted) throw new Error(`campaign stopped: ${report.aborted.error}: ${report.aborted.message}`);
  const reset = report.counts['reset-sent'];
  const rate = reset / seconds;

  const categories = [
    { name: 'UserCreation', quota: QUOTA_DEFAULTS.UserCreation, perUser: 1 },
    { name: 'UserUpdate', quota: QUOTA_DEFAULTS.UserUpdate, perUser: 1 + groupsPerUser },
    { name: 'UserAccountRecovery', quota: QUOTA_DEFAULTS.UserAccountRecovery, perUser: 1 },
  ].map((c) => ({ ...c, ceiling: (c.quota * share) / c.perUser }));
  const binding = categories.reduce((a, b) => (b.ceiling < a.ceiling ? b : a));

  console.log(
    `reset campaign — ${users} flagged users, ${groupsPerUser} group(s) each, quota share ${share}, ` +
      `${concurrency} users in flight, ${latencyMs} ms a call, time ×${scale} (${wallSeconds.toFixed(1)} s wall)\n`,
  );
  console.log(
    '| category | quota rps | allowed rps | calls per user | ceiling users/s | measured / ceiling |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const c of categories) {
    console.log(
      `| ${c.name}${c === binding ? ' (binding)' : ''} | ${c.quota} | ${(c.quota * share).toFixed(1)} | ` +
        `${c.perUser} | ${c.ceiling.toFixed(2)} | ${(rate / c.ceiling).toFixed(3)} |`,
    );
  }
  console.log(
    `\nreset-sent ${reset} of ${users} in ${seconds.toFixed(1)} s: ${rate.toFixed(2)} users/s; ` +
      `outcomes ${JSON.stringify(report.counts)}`,
  );
  console.log(
    `calls accepted: ${[...accepted].map(([op, n]) => `${op} ${n}`).join(', ')}; ` +
      `TooManyRequestsException seen: ${throttled}`,
  );
  // The limiter's buckets start full (one second of the allowed rate), so a short run gets one
  // second of calls for free; the adjusted ratio charges it, which is what a long campaign sees.
  const adjusted = reset / ((seconds + 1) * binding.ceiling);
  console.log(
    `ratio to the binding ceiling (${binding.name}): ${(rate / binding.ceiling).toFixed(3)} ` +
      `(${adjusted.toFixed(3)} charging the limiter's initial one-second burst; goal ≥ 0.9)`,
  );

  deps.target.destroy();
  deps.source.destroy();
  deps.table.doc.destroy();
  pools.admin.destroy();
  await emulator.close();
  await tables.close();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
