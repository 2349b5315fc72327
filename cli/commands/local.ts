import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { readPoolConfigFile } from '#local/pool-settings';
import { seedSourcePool, type CognitoCall } from '#local/seed';
import { startLocalStack, type LocalStack } from '#local/stack';
import { readLocalState, removeLocalState, writeLocalState } from '#local/state-file';
import { stateFilePath } from '../connection';
import type { CommandContext } from '../index';

interface StartOptions {
  sourcePoolConfig?: string;
  targetPoolConfig?: string;
  users: number;
  seed: number;
  accountQuotaScale?: number;
}

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** Starts the embedded stack and seeds its source pool; shared by `local start` and `demo`. */
export const startSeededStack = async (
  options: StartOptions,
  onProgress?: (done: number) => void,
): Promise<{ stack: LocalStack; users: Awaited<ReturnType<typeof seedSourcePool>> }> => {
  const stack = await startLocalStack({
    ...(options.accountQuotaScale ? { accountQuotaScale: options.accountQuotaScale } : {}),
    ...(options.sourcePoolConfig ? { sourcePool: readPoolConfigFile(options.sourcePoolConfig) } : {}),
    ...(options.targetPoolConfig ? { targetPool: readPoolConfigFile(options.targetPoolConfig) } : {}),
  });
  try {
    const users = await seedSourcePool({
      // In-process: the same semantics as over HTTP, an order of magnitude faster for seeding.
      call: stack.emulator.call as CognitoCall,
      userPoolId: stack.state.source.userPoolId,
      clientId: stack.state.source.migrationClientId,
      users: options.users,
      seed: options.seed,
      ...(onProgress ? { onProgress } : {}),
    });
    return { stack, users };
  } catch (error) {
    await stack.close();
    throw error;
  }
};

/** `local start` and `local outbox`. */
export const registerLocal = (program: Command, ctx: CommandContext): void => {
  const local = program
    .command('local')
    .description('the embedded stack: emulator, dynalite, state-machine runner');
  local
    .command('start')
    .description(
      'run the embedded stack in the foreground until interrupted; writes the state file when ready',
    )
    .option('--source-pool-config <file>', 'the UserPool object `aws cognito-idp describe-user-pool` prints')
    .option('--target-pool-config <file>', 'the same, for the target pool')
    .option('--users <n>', 'source users to seed (0: empty pools)', (v) => Number(v), 1000)
    .option('--seed <n>', 'PRNG seed for the population', (v) => Number(v), 1)
    .action(async (opts: StartOptions, command: Command) => {
      const output = ctx.output(command);
      const path = stateFilePath(ctx.options(command), ctx.deps.cwd);
      const bar = output.progress('seeding source users', opts.users);
      const { stack, users } = await startSeededStack(opts, (done) => bar.update(done));
      bar.stop();
      try {
        writeLocalState(path, stack.state);
        // Seeded users' passwords, so anyone can sign in to the target and watch a migration.
        const usersFile = join(dirname(path), 'seeded-users.json');
        writeFileSync(usersFile, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
        output.result({ stateFile: path, usersFile, ...stack.state }, () => [
          `local stack ready (state: ${path})`,
          `  cognito   ${stack.state.cognitoEndpoint}`,
          `  dynamodb  ${stack.state.dynamodbEndpoint}  table ${stack.state.tableName}`,
          `  source    ${stack.state.source.userPoolId}  migration client ${stack.state.source.migrationClientId}`,
          `  target    ${stack.state.target.userPoolId}  app client ${stack.state.target.clientId}`,
          `  ${users.length} seeded source users (passwords in ${usersFile})`,
          'next: cognito-migrate --local preflight; cognito-migrate --local sync start --wait; Ctrl-C to stop',
        ]);
        await untilAborted(ctx.deps.signal);
      } finally {
        removeLocalState(path);
        await stack.close();
      }
    });
  local
    .command('outbox')
    .description('the messages the emulator "sent": reset codes, invitations, MFA codes')
    .option('--username <u>', 'only this user (case-insensitive)')
    .option('--pool <id>', 'only this pool (default: the target pool)')
    .action(async (opts: { username?: string; pool?: string }, command: Command) => {
      const output = ctx.output(command);
      const state = readLocalState(stateFilePath(ctx.options(command), ctx.deps.cwd));
      const url = new URL('/local/outbox', state.cognitoEndpoint);
      url.searchParams.set('userPoolId', opts.pool ?? state.target.userPoolId);
      if (opts.username) url.searchParams.set('username', opts.username);
      const response = await fetch(url);
      const { messages } = (await response.json()) as {
        messages: {
          at: number;
          username: string;
          kind: string;
          medium: string;
          destination: string;
          code?: string;
        }[];
      };
      output.result(messages, () =>
        messages.length === 0
          ? ['no messages']
          : messages.map(
              (m) =>
                `${new Date(m.at).toISOString()}  ${m.kind.padEnd(12)} ${m.medium.padEnd(5)} ${m.username}  ${m.destination}${m.code ? `  code ${m.code}` : ''}`,
            ),
      );
    });
};
