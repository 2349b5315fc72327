import { Command } from 'commander';
import type { CommandFactory } from '../context';
import type { EventsOptions } from '../local/events';
import type { OutboxOptions } from '../local/outbox';
import type { StartOptions } from '../local/start';
import { integerIn } from '../options';

/**
 * `local start`, `local outbox` and `local events`. Only their options live here; what they run is in cli/local/,
 * loaded when they run (see cli/context.ts), because the embedded stack needs devDependencies (dynalite,
 * aws-local-stepfunctions) that an install for AWS (`npm ci --omit=dev`) does not have.
 */
export const localCommand: CommandFactory = (ctx) => {
  const local = new Command('local').description(
    'the embedded stack: emulator, dynalite, state-machine runner',
  );
  local
    .command('start')
    .description(
      'run the embedded stack in the foreground until interrupted; writes the state file when ready',
    )
    .option('--source-pool-config <file>', 'the UserPool object `aws cognito-idp describe-user-pool` prints')
    .option('--target-pool-config <file>', 'the same, for the target pool')
    .option(
      '--users <n>',
      'source users to seed, fitted to the source schema, 0 to 1000000 (0: empty pools)',
      integerIn({ min: 0, max: 1_000_000 }),
      1000,
    )
    .option('--seed <n>', 'PRNG seed for the population', integerIn({ min: 0, max: 2 ** 32 - 1 }), 1)
    .option(
      '--state-dir <dir>',
      'keep pools and table on disk here; the same dir again resumes them (after a kill too)',
    )
    .option(
      '--migration-config <file>',
      "a MigrationConfig file (the real run's): its settings (attributeMap, mfaPolicy, disabledUsers, quotaShare, migrationWindowEnd, ...) over the local defaults",
    )
    .option(
      '--quotas <mode>',
      "the emulator's Cognito quotas: off (default), default (AWS's defaults), or a number (defaults times it, as a raised account)",
    )
    .option(
      '--source-endpoint <url>',
      'use an existing source pool at this Cognito endpoint (e.g. moto) instead of seeding one',
    )
    .option('--source-pool-id <id>', 'with --source-endpoint: the source pool')
    .option(
      '--source-client-id <id>',
      'with --source-endpoint: the app client allowing ADMIN_USER_PASSWORD_AUTH',
    )
    .option(
      '--artifacts [cdk-out]',
      'run what deploys: the bundled functions, template and state machine of a cloud assembly (synthesized first when no directory is given)',
    )
    .action(async (opts: StartOptions, command: Command) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand; see cli/context.ts
      const { runLocalStart } = require('../local/start') as typeof import('../local/start');
      await runLocalStart(ctx, opts, command);
    });
  local
    .command('outbox')
    .description('the messages the emulator "sent": reset codes, invitations, MFA codes')
    .option('--username <u>', 'only this user (case-insensitive)')
    .option('--pool <id>', 'only this pool (default: the target pool)')
    .action(async (opts: OutboxOptions, command: Command) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand; see cli/context.ts
      const { runLocalOutbox } = require('../local/outbox') as typeof import('../local/outbox');
      await runLocalOutbox(ctx, opts, command);
    });
  local
    .command('events')
    .description('the events the local EventBridge received (UserMigrated...), one JSON object a line')
    .option('--detail-type <type>', 'only events of this detail-type (e.g. UserMigrated)')
    .action(async (opts: EventsOptions, command: Command) => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand; see cli/context.ts
      const { runLocalEvents } = require('../local/events') as typeof import('../local/events');
      await runLocalEvents(ctx, opts, command);
    });
  return local;
};
