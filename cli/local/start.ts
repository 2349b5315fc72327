import { existsSync, writeFileSync } from 'node:fs';
import { ConfigError } from '#shared/errors';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '#shared/clock';
import { parseQuotasOption, readMigrationSettings, type MigrationSettings } from '#local/migration-settings';
import { readPoolConfigFile } from '#local/pool-settings';
import { retryingThrottles, seedSourcePool, type CognitoCall } from '#local/seed';
import { startLocalStack, type LocalStack } from '#local/stack';
import type { ArtifactStack } from '#local/artifacts/stack';
import { isProcessAlive, readLocalState, removeLocalState, writeLocalState } from '#local/state-file';
import { stateFilePath } from '../connection';
import type { CommandContext } from '../context';
import { CliError, EXIT } from '../exit-codes';

export interface StartOptions {
  sourcePoolConfig?: string;
  targetPoolConfig?: string;
  users: number;
  seed: number;
  accountQuotaScale?: number;
  /** A MigrationConfig file whose settings the stack runs with. */
  migrationConfig?: string;
  /** `off`, `default` or a scale of AWS's default quotas. */
  quotas?: string;
  sourceEndpoint?: string;
  sourcePoolId?: string;
  sourceClientId?: string;
  /**
   * Build the stack from a synthesized cloud assembly: its directory, or `true` to synthesize the
   * app first (cached by source hash under .cognito-migrate/cdk-out). @default the sources
   */
  artifacts?: string | boolean;
  /** Keep pools and table here; a later start with the same directory serves them again. */
  stateDir?: string;
  /** Settings given in code (the demo's scope), over those of `migrationConfig`. */
  migrationSettings?: MigrationSettings;
  /** `custom:tenant` values the seeded users are dealt (a multi-tenant source). */
  seedTenants?: readonly string[];
}

/** Function threads of a started stack: the demo machine has 2 cores; a third thread only adds memory. */
const FUNCTION_THREADS = 1;

/** `--source-endpoint URL --source-pool-id ID --source-client-id ID`: all three, or none. */
const externalSourceOf = (options: StartOptions) => {
  const given = [options.sourceEndpoint, options.sourcePoolId, options.sourceClientId];
  if (given.every((v) => v === undefined)) return undefined;
  if (given.some((v) => v === undefined))
    throw new CliError(
      EXIT.USAGE,
      '--source-endpoint, --source-pool-id and --source-client-id go together',
      'name the external source pool, its endpoint and the app client the trigger verifies passwords with',
    );
  if (options.sourcePoolConfig)
    throw new CliError(
      EXIT.USAGE,
      '--source-pool-config describes a pool the stack creates; an external source exists already',
    );
  return {
    endpoint: options.sourceEndpoint!,
    userPoolId: options.sourcePoolId!,
    migrationClientId: options.sourceClientId!,
  };
};

/** The stack from the sources, or from the cloud assembly (`--artifacts [CDK_OUT]`). */
const startStack = async (options: StartOptions, onSynth?: (line: string) => void): Promise<LocalStack> => {
  const fromFile = options.migrationConfig ? readMigrationSettings(options.migrationConfig) : undefined;
  const settings =
    fromFile || options.migrationSettings ? { ...fromFile, ...options.migrationSettings } : undefined;
  const quotas = options.quotas ? parseQuotasOption(options.quotas) : undefined;
  const externalSource = externalSourceOf(options);
  const accountQuotaScale = quotas?.accountQuotaScale ?? options.accountQuotaScale;
  const common = {
    // The emulator and the demo's clients keep this thread busy; the table and the functions'
    // SDK work (most of the CPU of a migration) get threads of their own, so every core works.
    dynamoThread: true,
    ...(options.artifacts ? {} : { functionThreads: FUNCTION_THREADS }),
    ...(accountQuotaScale ? { accountQuotaScale } : {}),
    ...(quotas ? { quotas: quotas.quotas } : {}),
    ...(settings ? { config: settings } : {}),
    ...(settings?.migrationWindowEnd ? { migrationWindowEnd: settings.migrationWindowEnd } : {}),
    ...(externalSource ? { externalSource } : {}),
    ...(options.stateDir ? { stateDir: options.stateDir } : {}),
    ...(options.sourcePoolConfig
      ? { sourcePool: { replace: readPoolConfigFile(options.sourcePoolConfig) } }
      : {}),
    ...(options.targetPoolConfig
      ? { targetPool: { replace: readPoolConfigFile(options.targetPoolConfig) } }
      : {}),
  };
  if (!options.artifacts) return startLocalStack(common);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand: only artifact mode needs them
  const { synthesize } = require('#local/artifacts/synth') as typeof import('#local/artifacts/synth');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand
  const { startArtifactStack } = require('#local/artifacts/stack') as typeof import('#local/artifacts/stack');
  const assembly =
    typeof options.artifacts === 'string'
      ? options.artifacts
      : await synthesize(onSynth ? { onOutput: onSynth } : {});
  return startArtifactStack({ assembly, ...common });
};

const untilAborted = (signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });

/** Starts the embedded stack and seeds its source pool; shared by `local start` and `demo`. */
export const startSeededStack = async (
  options: StartOptions,
  onProgress?: (done: number) => void,
  onSynth?: (line: string) => void,
): Promise<{ stack: LocalStack; users: Awaited<ReturnType<typeof seedSourcePool>> }> => {
  const externalSource = externalSourceOf(options);
  const stack = await startStack(options, onSynth);
  try {
    // An external source is the operator's: the stack never writes to it.
    if (externalSource) return { stack, users: [] };
    // A resumed stack already holds its users (and seeded-users.json from the first start).
    if (stack.resumed) return { stack, users: [] };
    const users = await seedSourcePool({
      // In-process: the same semantics as over HTTP, an order of magnitude faster for seeding.
      // With quotas on, seeding takes the quota's pace.
      call: retryingThrottles(stack.emulator.call as CognitoCall, (ms) => systemClock.sleep(ms)),
      userPoolId: stack.state.source.userPoolId,
      clientId: stack.state.source.migrationClientId,
      users: options.users,
      seed: options.seed,
      ...(options.seedTenants ? { tenants: options.seedTenants } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
    return { stack, users };
  } catch (error) {
    await stack.close();
    throw error;
  }
};

/** A state file left behind; a malformed one counts as stale too (the new start replaces it). */
const readPrevious = (path: string): { pid?: number } => {
  try {
    return readLocalState(path);
  } catch {
    return {};
  }
};

/** `local start`: runs the embedded stack in the foreground until the signal aborts. */
export const runLocalStart = async (
  ctx: CommandContext,
  opts: StartOptions,
  command: Command,
): Promise<void> => {
  const output = ctx.output(command);
  const path = stateFilePath(ctx.options(command), ctx.deps.cwd);
  const previous = existsSync(path) ? readPrevious(path) : undefined;
  if (previous?.pid !== undefined && isProcessAlive(previous.pid)) {
    throw new ConfigError(`A local stack (pid ${previous.pid}) already serves "${path}"; stop it first`, [
      path,
    ]);
  }
  if (previous)
    output.line(`replacing stale state file ${path} (its process ${previous.pid ?? '?'} is gone)`);
  const bar = output.progress('seeding source users', opts.users);
  const { stack, users } = await startSeededStack(opts, (done) => bar.update(done));
  bar.stop();
  try {
    writeLocalState(path, stack.state);
    // Seeded users' passwords, so anyone can sign in to the target and watch a migration.
    const usersFile = join(dirname(path), 'seeded-users.json');
    if (!stack.resumed) writeFileSync(usersFile, `${JSON.stringify(users, null, 2)}\n`, { mode: 0o600 });
    output.result({ stateFile: path, usersFile, ...stack.state }, () => [
      `local stack ready (state: ${path})`,
      `  cognito   ${stack.state.cognitoEndpoint}`,
      `  dynamodb  ${stack.state.dynamodbEndpoint}  table ${stack.state.tableName}`,
      `  source    ${stack.state.source.userPoolId}  migration client ${stack.state.source.migrationClientId}`,
      `  target    ${stack.state.target.userPoolId}  app client ${stack.state.target.clientId}`,
      `  events    ${stack.state.eventBridgeEndpoint ?? '-'}  bus ${stack.config.eventBusName} (cognito-migrate --local local events)`,
      ...('artifacts' in stack
        ? [
            `  functions from ${(stack as ArtifactStack).artifacts.assembly.directory} (bundled assets, template environment and timeouts)`,
            `  lambda+sts ${(stack as ArtifactStack).artifacts.awsEndpoint}`,
          ]
        : []),
      stack.state.sourceCognitoEndpoint
        ? `  source pool at ${stack.state.sourceCognitoEndpoint} (external: nothing seeded)`
        : stack.resumed
          ? `  resumed from ${opts.stateDir} (users as they were; passwords in ${usersFile})`
          : `  ${users.length} seeded source users (passwords in ${usersFile})`,
      ...(stack.state.managedLogin
        ? [
            `  login     ${stack.state.managedLogin.loginUrl}`,
            `            managed login: sign in as a seeded user; ${stack.state.managedLogin.callbackUrl} shows the tokens`,
          ]
        : []),
      'next: cognito-migrate --local preflight; cognito-migrate --local sync start --wait; Ctrl-C to stop',
    ]);
    await untilAborted(ctx.deps.signal);
  } finally {
    removeLocalState(path);
    await stack.close();
  }
};
