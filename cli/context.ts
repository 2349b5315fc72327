import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import type { Command } from 'commander';
import type { Clock } from '#shared/clock';
import { connect, type Connection, type GlobalOptions } from './connection';
import { CliError, EXIT } from './exit-codes';
import { Output, type Writer } from './output';

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
  connect?: (options: GlobalOptions, deps: CliDeps) => Connection | Promise<Connection>;
}

/**
 * What every command factory receives. It lives here, apart from the program that lists the
 * commands, so a command never imports the module that imports it.
 */
export interface CommandContext {
  deps: CliDeps;
  output(command: Command): Output;
  options(command: Command): GlobalOptions;
  /** Connects, runs `fn`, and always closes the clients. */
  withConnection<T>(command: Command, fn: (connection: Connection) => Promise<T>): Promise<T>;
}

/**
 * Builds one command of the program (with its subcommands) over the shared context.
 *
 * A command that needs devDependencies (the embedded stack: `local`, `demo`, `sync start --local`)
 * keeps only its options in cli/commands/ and loads what it runs from cli/local/ (or local/) inside
 * its action, with a `require` typed as `typeof import(...)`. Not `import()`: bin/cognito-migrate.js
 * runs the CLI through tsx's CommonJS hook, and there `import()` of an extensionless `.ts` path
 * goes to Node's ESM resolver and fails. test/unit/cli/module-graph.test.ts keeps these loads out
 * of what `status` loads.
 */
export type CommandFactory = (ctx: CommandContext) => Command;

const causes = function* (error: unknown): Generator<unknown> {
  for (let e = error; e !== undefined; e = (e as { cause?: unknown }).cause) yield e;
};

/**
 * DynamoDB says "Requested resource not found" without naming the table: the configuration
 * names a table that is not there (a typo, another Region, the stack not deployed).
 */
const nameTheTable = (error: unknown, connection: Connection): unknown => {
  if (![...causes(error)].some((e) => e instanceof ResourceNotFoundException)) return error;
  const { tableName, endpoints, region } = connection.config;
  return new CliError(
    EXIT.USAGE,
    `table "${tableName}" does not exist ${endpoints.dynamodb ? `at ${endpoints.dynamodb}` : `in ${region}`}`,
    'check tableName (or MIGRATION_TABLE_NAME) and the region, or deploy the migration stack that creates it',
  );
};

export const createCommandContext = (deps: CliDeps): CommandContext => {
  const options = (command: Command) => command.optsWithGlobals<GlobalOptions>();
  return {
    deps,
    options,
    output: (command) => new Output(deps.stdout, deps.stderr, options(command).json === true),
    withConnection: async (command, fn) => {
      const connection = await (deps.connect ?? connect)(options(command), deps);
      try {
        return await fn(connection);
      } catch (error) {
        throw nameTheTable(error, connection);
      } finally {
        connection.close();
      }
    },
  };
};
