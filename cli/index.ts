import { Command, CommanderError } from 'commander';
import type { Clock } from '#shared/clock';
import { connect, type Connection, type GlobalOptions } from './connection';
import { describeFailure, EXIT, type ExitCode } from './exit-codes';
import { Output, type Writer } from './output';
import { registerDemo } from './commands/demo';
import { registerLocal } from './commands/local';
import { registerPreflight } from './commands/preflight';
import { registerResetCampaign } from './commands/reset-campaign';
import { registerSync } from './commands/sync';
import { registerStatus } from './commands/status';
import { registerStragglers } from './commands/stragglers';

/** What the program needs from the outside world; tests pass buffers, a fake clock and an AbortSignal. */
export interface CliDeps {
  stdout: Writer;
  stderr: Writer;
  env: NodeJS.ProcessEnv;
  cwd: string;
  clock: Clock;
  /** Aborted on Ctrl-C: ends `status --watch` and `local start`. */
  signal: AbortSignal;
  /** Asks a yes/no question; absent means non-interactive (commands then need `--yes`). */
  confirm?: (question: string) => Promise<boolean>;
  /** Replaces how clients are built (tests). @default connect */
  connect?: (options: GlobalOptions, deps: CliDeps) => Connection;
}

/** What each command's registration receives. */
export interface CommandContext {
  deps: CliDeps;
  output(command: Command): Output;
  options(command: Command): GlobalOptions;
  /** Connects, runs `fn`, and always closes the clients. */
  withConnection<T>(command: Command, fn: (connection: Connection) => Promise<T>): Promise<T>;
}

const EXIT_CODE_HELP = `
Exit codes:
  0  ok
  1  a blocker was found or an invariant failed
  2  usage or configuration error
  3  AWS or operational error (endpoint unreachable, access denied, throttled)`;

/** Builds the `cognito-migrate` program. It never calls process.exit: see `runCli`. */
export const createProgram = (deps: CliDeps): Command => {
  const program = new Command('cognito-migrate')
    .description(
      'Drive a Cognito user pool migration: preflight, bulk sync, progress, stragglers, reset campaign.',
    )
    .option('--json', 'machine-readable output: the result is the last line printed')
    .option('--local', 'use the embedded stack described by the state file (see `local start`)')
    .option('--state-file <file>', 'the local stack state file', '.cognito-migrate/local.json')
    .option('--config <file>', 'a MigrationConfig JSON file (else COGNITO_MIGRATE_CONFIG[_FILE] and env)')
    .addHelpText('after', EXIT_CODE_HELP)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
    });
  const options = (command: Command) => command.optsWithGlobals<GlobalOptions>();
  const context: CommandContext = {
    deps,
    options,
    output: (command) => new Output(deps.stdout, deps.stderr, options(command).json === true),
    withConnection: async (command, fn) => {
      const connection = (deps.connect ?? connect)(options(command), deps);
      try {
        return await fn(connection);
      } finally {
        connection.close();
      }
    },
  };
  registerPreflight(program, context);
  registerSync(program, context);
  registerStatus(program, context);
  registerStragglers(program, context);
  registerResetCampaign(program, context);
  registerLocal(program, context);
  registerDemo(program, context);
  return program;
};

/**
 * Runs the program on `args` (without `node` and the script) and returns the exit code,
 * printing one error line and a hint for anything that went wrong.
 */
export const runCli = async (args: readonly string[], deps: CliDeps): Promise<ExitCode> => {
  const program = createProgram(deps);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return EXIT.OK;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed the usage problem (or the help/version text).
      return error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    const failure = describeFailure(error);
    new Output(deps.stdout, deps.stderr, false).error(failure.message, failure.hint);
    return failure.exitCode;
  }
};
