import { Command } from 'commander';
import type { CommandFactory } from '../context';
import type { DemoReport } from '../local/demo';
import { CliError, EXIT } from '../exit-codes';
import { formatTable } from '../output';
import { integerIn, numberIn } from '../options';

/**
 * The demo's account has its Cognito quotas raised 50x. At 10x the reset campaign alone needs
 * about 11,000 UserUpdate calls (AdminSetUserPassword, AdminAddUserToGroup) at 250/s, 44 s, and
 * the sign-ins' group updates another 18 s: more than the minute the demo is meant to take. The
 * pace at AWS's default quotas is what `npm run bench` measures; the demo proves the outcome.
 */
const DEMO_QUOTA_SCALE = 50;

const renderDemo = (report: DemoReport): string[] => [
  '',
  `every source user, by outcome (${report.users} users, seed ${report.seed}):`,
  ...formatTable([
    ['status', 'users'],
    ...Object.entries(report.outcomes).map(([s, n]) => [s, String(n)]),
  ]).map((l) => `  ${l}`),
  `  migrated by: ${
    Object.entries(report.migratedBy)
      .map(([m, n]) => `${m} ${n}`)
      .join(', ') || 'nobody'
  }`,
  '',
  'sign-ins during the window:',
  ...Object.entries(report.signIns)
    .sort()
    .map(([k, n]) => `  ${k.padEnd(40)} ${n}`),
  '',
  `preflight: ${report.preflight.blockers} blocker(s), ${report.preflight.warnings} warning(s)`,
  `campaign: ${
    Object.entries(report.campaign)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'nothing to do'
  }`,
  ...(report.scope
    ? [
        `scope ${report.scope.scope}: ${report.scope.inScope} source users in scope, ${report.scope.outOfScope} out of scope (bulk sync counted ${report.scope.countedBySync}), ${report.scope.inTarget} of them in the target`,
        `  out-of-scope sign-ins answered as an unknown user: ${report.scope.signIns.answeredAsUnknown} of ${report.scope.signIns.tried} (${report.scope.signIns.unknownAnswer}); fresh sign-up with their name: ${report.scope.signUp}`,
      ]
    : []),
  ...(report.totpReenrol
    ? [
        `totp re-enrol (${report.totpReenrol.username}): password only -> ${
          report.totpReenrol.passwordOnly.enrolmentRequired ? 'mfa_enrolment_required, ' : ''
        }${report.totpReenrol.passwordOnly.groups.length} group(s); authenticator code -> ${
          report.totpReenrol.afterEnrolment.challenge ?? 'no challenge'
        }, ${report.totpReenrol.afterEnrolment.groups.length} group(s)`,
      ]
    : []),
  '',
  'invariants:',
  ...report.invariants.map((i) => `  ${i.ok ? 'ok  ' : 'FAIL'} ${i.name}${i.detail ? ` (${i.detail})` : ''}`),
  '',
  report.ok
    ? 'demo passed: every source user accounted for exactly once'
    : 'demo FAILED: an invariant does not hold',
];

/**
 * `demo`: the README's main command. What it runs is in cli/local/, loaded only when it runs (the
 * embedded stack needs devDependencies; see cli/context.ts).
 */
export const demoCommand: CommandFactory = (ctx) =>
  new Command('demo')
    .description(
      'the whole migration on one machine: seed, preflight, bulk sync, sign-ins, window end, reset campaign, report',
    )
    .option(
      '--users <n>',
      'source users to seed (1 to 1000000)',
      integerIn({ min: 1, max: 1_000_000 }),
      10_000,
    )
    .option('--seed <n>', 'PRNG seed (an integer)', integerIn({ min: 0, max: 2 ** 32 - 1 }), 1)
    .option(
      '--sign-in-share <fraction>',
      'share of users who sign in during the window (0 to 1)',
      numberIn({ min: 0, max: 1 }),
      0.5,
    )
    .option(
      '--quota-scale <factor>',
      "the simulated account's Cognito quotas as a multiple of AWS's defaults (1 = defaults; above 0, at most 1000)",
      numberIn({ min: 0, max: 1000, exclusiveMin: true }),
      DEMO_QUOTA_SCALE,
    )
    .option(
      '--tenant <name>',
      'split a two-tenant source (custom:tenant = <name> | another): migrate only <name> (migrationScope) and show the others answered as unknown',
    )
    .option(
      '--artifacts [cdk-out]',
      'run what deploys: the bundled functions, template and state machine of a cloud assembly (synthesized first when no directory is given)',
    )
    .action(
      async (
        opts: {
          users: number;
          seed: number;
          signInShare: number;
          quotaScale: number;
          artifacts?: string | boolean;
          tenant?: string;
        },
        command: Command,
      ) => {
        const output = ctx.output(command);
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- on demand; see cli/context.ts
        const { runDemo } = require('../local/demo') as typeof import('../local/demo');
        const report = await runDemo(
          {
            users: opts.users,
            seed: opts.seed,
            signInShare: opts.signInShare,
            accountQuotaScale: opts.quotaScale,
            ...(opts.artifacts ? { artifacts: opts.artifacts } : {}),
            ...(opts.tenant ? { tenant: opts.tenant } : {}),
          },
          output,
        );
        output.result(report, () => renderDemo(report));
        if (!report.ok) throw new CliError(EXIT.FAILED, 'an invariant failed; see the report');
      },
    );
