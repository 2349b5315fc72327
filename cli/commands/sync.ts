import { randomUUID } from 'node:crypto';
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { createSfnClient } from '#shared/clients';
import { ConfigError, LeaseHeldError, LeaseStaleError } from '#shared/errors';
import { silentLogger } from '#shared/logger';
import { readLease, runLiveness } from '#shared/table/leases';
import { MAX_CONCURRENCY } from '../../functions/bulk-export/start';
import { getLatestRun, getRun, listCheckpoints, type RunRecord } from '#shared/table/runs';
import type { Connection } from '../connection';
import { CliError, EXIT } from '../exit-codes';
import type { CommandFactory } from '../context';
import { formatDuration, type Output } from '../output';
import { integerIn, numberIn } from '../options';

/** A run as `sync status` shows it: the run record plus users exported so far. */
export interface SyncStatus {
  runId: string;
  /** STALE: recorded RUNNING, but its lease stopped beating (the runner died); no ETA then. */
  status: RunRecord['status'] | 'STALE';
  startedAt: string;
  finishedAt?: string;
  usersExported: number;
  estimatedUsers?: number;
  usersPerSecond: number;
  etaMs?: number;
  counts?: Record<string, number>;
  error?: RunRecord['error'];
  /** The run's lease while it is RUNNING: who holds it and until when. */
  lease?: { holder: string; heartbeatAt: string; expiresAt: string };
}

export const syncStatus = async (connection: Connection, runId?: string): Promise<SyncStatus> => {
  const { table, source, config } = connection;
  const run = runId ? await getRun(table, runId) : await getLatestRun(table);
  if (!run)
    throw new CliError(
      EXIT.USAGE,
      runId ? `No bulk-sync run "${runId}"` : 'No bulk-sync run yet',
      'start one with `cognito-migrate sync start --wait`',
    );
  const checkpoints = await listCheckpoints(table, run.runId, 'users#');
  const usersExported = checkpoints.reduce((sum, c) => sum + c.seen, 0);
  const estimate = await source
    .send(new DescribeUserPoolCommand({ UserPoolId: config.source.userPoolId }))
    .then((out) => out.UserPool?.EstimatedNumberOfUsers)
    .catch(() => undefined);
  const end = run.finishedAt ? Date.parse(run.finishedAt) : table.clock.now();
  const seconds = Math.max(0.001, (end - Date.parse(run.startedAt)) / 1000);
  const rate = usersExported / seconds;
  const lease = run.status === 'RUNNING' ? await readLease(table, 'bulk-sync') : undefined;
  const status = run.status === 'RUNNING' && runLiveness(lease, run.runId) === 'STALE' ? 'STALE' : run.status;
  return {
    runId: run.runId,
    status,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    usersExported,
    ...(estimate !== undefined ? { estimatedUsers: estimate } : {}),
    usersPerSecond: Math.round(rate * 10) / 10,
    ...(status === 'RUNNING' && estimate && rate > 0
      ? { etaMs: Math.max(0, Math.round(((estimate - usersExported) / rate) * 1000)) }
      : {}),
    ...(run.counts ? { counts: run.counts } : {}),
    ...(run.error ? { error: run.error } : {}),
    ...(lease && lease.owner === run.runId
      ? { lease: { holder: lease.holder, heartbeatAt: lease.heartbeatAt, expiresAt: lease.expiresAt } }
      : {}),
  };
};

const renderSync = (s: SyncStatus): string[] => [
  `run        ${s.runId}  ${s.status}`,
  `started    ${s.startedAt}${s.finishedAt ? `, finished ${s.finishedAt}` : ''}`,
  `exported   ${s.usersExported}${s.estimatedUsers !== undefined ? ` of ~${s.estimatedUsers}` : ''} users, ${s.usersPerSecond}/s${s.etaMs !== undefined ? `, ETA ${formatDuration(s.etaMs)}` : ''}`,
  ...(s.counts
    ? [
        `counts     ${Object.entries(s.counts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}`,
      ]
    : []),
  ...(s.error ? [`error      ${s.error.name}: ${s.error.cause}`] : []),
  ...(s.lease
    ? [
        `lease      ${s.lease.holder}, last heartbeat ${s.lease.heartbeatAt}, ${s.status === 'STALE' ? 'expired' : 'until'} ${s.lease.expiresAt}`,
      ]
    : []),
  ...(s.status === 'STALE'
    ? [
        `STALE      the runner stopped renewing its lease; if it is gone: \`cognito-migrate sync start --resume ${s.runId} --take-over\``,
      ]
    : []),
];

/** Polls the run's checkpoints every `intervalMs` until `done` settles, updating a progress bar. */
const watch = async <T>(
  connection: Connection,
  runId: string,
  output: Output,
  done: Promise<T>,
  intervalMs: number,
): Promise<T> => {
  const bar = output.progress('users exported', 0);
  let finished = false;
  void done.finally(() => (finished = true)).catch(() => undefined);
  while (!finished) {
    await Promise.race([connection.table.clock.sleep(intervalMs), done.catch(() => undefined)]);
    const status = await syncStatus(connection, runId).catch(() => undefined);
    if (status) bar.update(status.usersExported, Math.max(status.estimatedUsers ?? 0, status.usersExported));
  }
  bar.stop();
  return done;
};

interface StartOptions {
  wait?: boolean;
  concurrency?: number;
  resume?: string;
  takeOver?: boolean;
  leaseSeconds?: number;
  interval: number;
}

/** Start's refusals: another writer holds the lease, or the run to resume was superseded. */
const REFUSED = ['LeaseHeldError', 'LeaseStaleError', 'RunSupersededError', 'RunNotFoundError'];

/** The error message inside Step Functions' Cause (a Lambda error payload), or the Cause itself. */
const causeMessage = (cause: string): string => {
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
};

const errorOf = (error: Error) => ({ Error: error.name, Cause: error.message });

/** A refused start (exit 2, nothing was changed) rather than a failed run. */
function refusal(error: { Error: string; Cause?: string }): CliError;
function refusal(error: { Error: string; Cause?: string }): CliError | undefined {
  if (!REFUSED.includes(error.Error)) return undefined;
  const hint =
    error.Error === 'LeaseStaleError'
      ? 'make sure that run is really gone (`cognito-migrate sync status`), then repeat with --take-over'
      : error.Error === 'LeaseHeldError'
        ? 'follow it with `cognito-migrate sync status`; start again when it has ended'
        : 'start a new run with `cognito-migrate sync start`';
  return new CliError(EXIT.USAGE, `sync start refused: ${causeMessage(error.Cause ?? '')}`, hint);
}

const startLocal = async (
  connection: Connection,
  input: Record<string, unknown>,
  runId: string,
  output: Output,
  opts: StartOptions,
) => {
  // The in-process runner and the functions' wiring need devDependencies: loaded only here.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand; see cli/context.ts
  const { wireFunctions } = require('#local/wire-functions') as typeof import('#local/wire-functions');
  const functions = wireFunctions(connection.config, { clock: connection.table.clock, logger: silentLogger });
  try {
    const execution = watch(
      connection,
      runId,
      output,
      functions.bulkSync(input, runId),
      opts.interval * 1000,
    );
    return await execution;
  } finally {
    await functions.close();
  }
};

const startAws = async (
  connection: Connection,
  input: Record<string, unknown>,
  runId: string,
  output: Output,
  opts: StartOptions,
) => {
  const { config } = connection;
  if (!config.stateMachineArn) {
    throw new ConfigError(
      'No state machine to start: pass the deployment file CDK deployed (--config config.json --stage <stage>), ' +
        'whose stack outputs name it',
      ['stateMachineArn'],
    );
  }
  const sfn = createSfnClient(config);
  try {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: config.stateMachineArn,
        name: runId,
        input: JSON.stringify(input),
      }),
    );
    output.note(`started ${executionArn}`);
    if (!opts.wait) return undefined;
    const finished = (async () => {
      for (;;) {
        await connection.table.clock.sleep(opts.interval * 1000);
        const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (described.status !== 'RUNNING')
          return {
            status: described.status,
            error: described.error ? { Error: described.error, Cause: described.cause ?? '' } : undefined,
          };
      }
    })();
    return await watch(connection, runId, output, finished, opts.interval * 1000);
  } finally {
    sfn.destroy();
  }
};

/**
 * `--resume` of a run that does not exist (or already succeeded) is a usage error, found before
 * anything starts: the state machine would fail it only after opening a new execution.
 */
const checkResumable = async (connection: Connection, runId: string): Promise<void> => {
  const run = await getRun(connection.table, runId);
  if (!run) {
    throw new CliError(
      EXIT.USAGE,
      `no bulk-sync run "${runId}" in table "${connection.table.tableName}"`,
      'see the latest run with `cognito-migrate sync status`, or start a new one with `cognito-migrate sync start`',
    );
  }
  if (run.status === 'SUCCEEDED') {
    throw new CliError(
      EXIT.USAGE,
      `bulk-sync run "${runId}" already succeeded; there is nothing to resume`,
      'start a new run with `cognito-migrate sync start` to pick up users created since',
    );
  }
};

/** A Lambda-style error Cause (`{"errorType":..,"errorMessage":..}`) as one readable phrase. */
const causeText = (cause: string): string => {
  try {
    const parsed = JSON.parse(cause) as { errorType?: string; errorMessage?: string };
    if (parsed && typeof parsed === 'object' && (parsed.errorMessage || parsed.errorType))
      return parsed.errorMessage ?? parsed.errorType ?? cause;
  } catch {
    // not JSON: a plain message
  }
  return cause.split('\n')[0] ?? cause;
};

/** Errors a resume cannot fix: the run itself or the configuration is wrong. */
const NOT_RESUMABLE = ['RunNotFoundError', 'InvalidInputError', 'ConfigError', 'TargetSchemaError'];

const executionFailure = (
  runId: string,
  result: { status?: string; error?: { Error: string; Cause: string } | undefined },
): CliError => {
  const name = result.error?.Error ?? '';
  const what = `bulk sync ${runId} ${result.status}${name ? `: ${name}` : ''}${
    result.error?.Cause ? ` (${causeText(result.error.Cause)})` : ''
  }`;
  return NOT_RESUMABLE.includes(name)
    ? new CliError(EXIT.USAGE, what, 'fix the configuration or input, then start a new run')
    : new CliError(
        EXIT.OPERATIONAL,
        what,
        `fix the cause, then \`cognito-migrate sync start --resume ${runId}\``,
      );
};

/** `sync start` and `sync status`: the bulk metadata sync. */
export const syncCommand: CommandFactory = (ctx) => {
  const sync = new Command('sync').description(
    'the bulk metadata sync (users, groups, memberships into the table)',
  );
  sync
    .command('start')
    .description('start the bulk-sync state machine (with --local: run it in this process, to the end)')
    .option('--wait', 'show users exported, rate and ETA until the run ends')
    .option(
      '--concurrency <n>',
      `shard tasks at once, 1 to ${MAX_CONCURRENCY} (the UserList quota share is divided among them)`,
      integerIn({ min: 1, max: MAX_CONCURRENCY }),
    )
    .option('--resume <runId>', 'continue a failed run from its checkpoints')
    .option('--take-over', 'take over the bulk-sync lease of a run whose runner died (its lease is STALE)')
    .option(
      '--lease-seconds <n>',
      'how long the run counts as alive without a heartbeat (default 900; 1 to 3600)',
      integerIn({ min: 1, max: 3600 }),
    )
    .option(
      '--interval <seconds>',
      'progress refresh interval (0.1 to 3600)',
      numberIn({ min: 0.1, max: 3600 }),
      2,
    )
    .action(async (opts: StartOptions, command: Command) => {
      const output = ctx.output(command);
      const input = {
        ...(opts.concurrency !== undefined ? { maxConcurrency: opts.concurrency } : {}),
        ...(opts.resume ? { resumeRunId: opts.resume } : {}),
        ...(opts.takeOver ? { takeOver: true } : {}),
        ...(opts.leaseSeconds ? { leaseSeconds: opts.leaseSeconds } : {}),
      };
      const runId = opts.resume
        ? `${opts.resume}-resume-${randomUUID().slice(0, 8)}`
        : `sync-${new Date(ctx.deps.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
      const runOf = opts.resume ?? runId;
      await ctx.withConnection(command, async (connection) => {
        if (opts.resume) await checkResumable(connection, opts.resume);
        // Refused here too (the state machine's Start refuses the same way), so a start without
        // --wait is not reported as started when it is bound to fail.
        const lease = await readLease(connection.table, 'bulk-sync');
        if (lease?.state === 'HELD') throw refusal(errorOf(new LeaseHeldError(lease)));
        if (lease?.state === 'STALE' && !opts.takeOver) throw refusal(errorOf(new LeaseStaleError(lease)));
        const result = connection.local
          ? await startLocal(connection, input, runId, output, opts)
          : await startAws(connection, input, runId, output, opts);
        if (!result) {
          output.result(
            { runId: runOf, status: 'RUNNING' },
            () => `bulk sync ${runOf} started; follow it with \`cognito-migrate sync status ${runOf}\``,
          );
          return;
        }
        const refused = result.error ? refusal(result.error) : undefined;
        if (refused) throw refused;
        const status = await syncStatus(connection, runOf).catch(() => undefined);
        const report = {
          ...(status ?? { runId: runOf }),
          execution: result.status,
          ...(result.error ? { executionError: result.error } : {}),
        };
        output.result(report, () => (status ? renderSync(status) : [`bulk sync ${runOf} ${result.status}`]));
        if (result.status !== 'SUCCEEDED') throw executionFailure(runOf, result);
      });
    });
  sync
    .command('status [runId]')
    .description('a bulk-sync run (default: the latest): users exported, rate, ETA, counts')
    .action(async (runId: string | undefined, _opts: unknown, command: Command) => {
      const output = ctx.output(command);
      await ctx.withConnection(command, async (connection) => {
        const status = await syncStatus(connection, runId);
        output.result(status, () => renderSync(status));
      });
    });
  return sync;
};
