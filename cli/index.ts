import { Command, CommanderError } from 'commander';
import { createCommandContext, type CliDeps, type CommandFactory } from './context';
import { EXIT, presentFailure, type ExitCode } from './exit-codes';
import { demoCommand } from './commands/demo';
import { exportCommand } from './commands/export';
import { localCommand } from './commands/local';
import { planCommand } from './commands/plan';
import { preflightCommand } from './commands/preflight';
import { reconcileCommand, resetCampaignCommand } from './commands/reset-campaign';
import { syncCommand } from './commands/sync';
import { statusCommand } from './commands/status';
import { stragglersCommand } from './commands/stragglers';

/** The program's commands, in the order `--help` lists them. */
const COMMANDS: readonly CommandFactory[] = [
  planCommand,
  preflightCommand,
  syncCommand,
  statusCommand,
  stragglersCommand,
  exportCommand,
  resetCampaignCommand,
  reconcileCommand,
  localCommand,
  demoCommand,
];

const EXIT_CODE_HELP = `
Exit codes:
  0  ok
  1  a blocker was found or an invariant failed
  2  usage or configuration error
  3  AWS or operational error (endpoint unreachable, access denied, throttled)`;

/**
 * `addCommand` (unlike `.command()`) does not pass the program's settings down: exitOverride,
 * where output goes, help after an error. A factory builds its subcommands before it is added,
 * so they get them here, all the way down.
 */
const inheritSettings = (parent: Command, command: Command): void => {
  command.copyInheritedSettings(parent);
  for (const sub of command.commands) inheritSettings(command, sub);
};

/** Builds the `cognito-migrate` program. It never calls process.exit: see `runCli`. */
export const createProgram = (deps: CliDeps): Command => {
  const program = new Command('cognito-migrate')
    .description(
      'Drive a Cognito user pool migration: preflight, bulk sync, progress, stragglers, reset campaign.',
    )
    .option('--json', 'machine-readable output: the result is the last line printed')
    .option('--local', 'use the embedded stack described by the state file (see `local start`)')
    .option('--state-file <file>', 'the local stack state file', '.cognito-migrate/local.json')
    .option(
      '--config <file>',
      'the deployment file CDK deploys ({ migration, deployment }), or a MigrationConfig JSON file (else COGNITO_MIGRATE_CONFIG[_FILE] and env)',
    )
    .option('--stage <name>', 'the stage the deployment file was deployed as (cdk -c stage=)', 'dev')
    .option(
      '--outputs-file <file>',
      'the stack outputs `cdk deploy --outputs-file` wrote (default: CloudFormation DescribeStacks)',
    )
    .option('--debug', 'on failure, print the stack trace after the error line')
    .addHelpText('after', EXIT_CODE_HELP)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.stdout.write(text),
      writeErr: (text) => deps.stderr.write(text),
      // One line: what is wrong (commander names the option) and where to look.
      outputError: (text, write) => write(`${text.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`),
    });
  const ctx = createCommandContext(deps);
  for (const factory of COMMANDS) {
    const command = factory(ctx);
    inheritSettings(program, command);
    program.addCommand(command);
  }
  return program;
};

/**
 * Runs the program on `args` (without `node` and the script) and returns the exit code,
 * printing one error line (what happened; what to do) for anything that went wrong.
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
    return presentFailure(error, deps.stderr, {
      debug: program.opts<{ debug?: boolean }>().debug === true || args.includes('--debug'),
    });
  }
};
