import { randomUUID } from 'node:crypto';
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { Command } from 'commander';
import { createSfnClient } from '#shared/clients';
import { ConfigError } from '#shared/errors';
import { silentLogger } from '#shared/logger';
import { getLatestRun, getRun, listCheckpoints, type RunRecord } from '#shared/table/runs';
import type { Connection } from '../connection';
import { CliError, EXIT } from '../exit-codes';
import type { CommandFactory } from '../context';
import { formatDuration, type Output } from '../output';

/** A run as `sync status` shows it: the run record plus users exported so far. */
export interface SyncStatus {
  runId: string;
  status: RunRecord['status'];
  startedAt: string;
  finishedAt?: string;
  usersExported: number;
  estimatedUsers?: number;
  usersPerSecond: number;
  etaMs?: number;
  counts?: Record<string, number>;
  error?: RunRecord['error'];
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
  return {
    runId: run.runId,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    usersExported,
    ...(estimate !== undefined ? { estimatedUsers: estimate } : {}),
    usersPerSecond: Math.round(rate * 10) / 10,
    ...(run.status === 'RUNNING' && estimate && rate > 0
      ? { etaMs: Math.max(0, Math.round(((estimate - usersExported) / rate) * 1000)) }
      : {}),
    ...(run.counts ? { counts: run.counts } : {}),
    ...(run.error ? { error: run.error } : {}),
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
  interval: number;
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
    throw new ConfigError('No state machine to start: set stateMachineArn (the migration stack outputs it)', [
      'stateMachineArn',
    ]);
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
      'shard tasks at once (the UserList quota share is divided among them)',
      (v) => Number(v),
    )
    .option('--resume <runId>', 'continue a failed run from its checkpoints')
    .option('--interval <seconds>', 'progress refresh interval', (v) => Number(v), 2)
    .action(async (opts: StartOptions, command: Command) => {
      const output = ctx.output(command);
      const input = {
        ...(opts.concurrency ? { maxConcurrency: opts.concurrency } : {}),
        ...(opts.resume ? { resumeRunId: opts.resume } : {}),
      };
      const runId = opts.resume
        ? `${opts.resume}-resume-${randomUUID().slice(0, 8)}`
        : `sync-${new Date(ctx.deps.clock.now()).toISOString().replace(/[:.]/g, '-')}`;
      const runOf = opts.resume ?? runId;
      await ctx.withConnection(command, async (connection) => {
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
        const status = await syncStatus(connection, runOf).catch(() => undefined);
        const report = {
          ...(status ?? { runId: runOf }),
          execution: result.status,
          ...(result.error ? { executionError: result.error } : {}),
        };
        output.result(report, () => (status ? renderSync(status) : [`bulk sync ${runOf} ${result.status}`]));
        if (result.status !== 'SUCCEEDED') {
          throw new CliError(
            EXIT.OPERATIONAL,
            `bulk sync ${result.status}: ${result.error?.Error ?? ''} ${result.error?.Cause ?? ''}`.trim(),
            `fix the cause, then \`cognito-migrate sync start --resume ${runOf}\``,
          );
        }
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
