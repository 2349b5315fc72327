import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  CognitoIdentityProviderServiceException,
  RevokeTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import { createLogger } from '#shared/logger';
import type { TableContext } from '#shared/table/context';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { handleLazyMigrate, type LazyMigrateEvent } from '../../../functions/lazy-migrate/migrate-user';
import { powertoolsOutcomeMetrics } from '../../../functions/lazy-migrate/metrics';
import {
  adminGetUserOf,
  anIdToken,
  aConfig,
  forgotPasswordEvent,
  makeDeps,
  seedSnapshot,
  signInEvent,
} from './harness';

// Distinctive, so a hit anywhere in the output cannot be a coincidence.
const PASSWORD = 'Pw-7f3a9c1e-never-log-me';
const SECRET = 'client-secret-5d2b8e';
const REFRESH = 'refresh-token-91c4aa';

const source = mockClient(CognitoIdentityProviderClient);
let tables: LocalTableHarness;
let table: TableContext;
const jane = aSourceUser({ username: 'jane' });

beforeAll(async () => {
  tables = await startLocalTables();
  table = await tables.newTable();
  await seedSnapshot(table, jane);
});
afterAll(() => tables.close());
beforeEach(() => source.reset());

const awsError = (name: string, message: string) =>
  new CognitoIdentityProviderServiceException({ name, message, $fault: 'client', $metadata: {} });

type Arrange = () => void;
const tokens = () =>
  source.on(AdminInitiateAuthCommand).resolves({
    AuthenticationResult: {
      AccessToken: 'access-token-x',
      RefreshToken: REFRESH,
      IdToken: anIdToken({
        'cognito:username': 'jane',
        sub: jane.sub,
        ...jane.attributes,
        email_verified: true,
      }),
    },
  });

const PATHS: [string, Arrange, (deps: ReturnType<typeof makeDeps>) => LazyMigrateEvent][] = [
  ['password verified', tokens, () => signInEvent('jane', PASSWORD)],
  [
    'revocation fails',
    () => {
      tokens();
      source.on(RevokeTokenCommand).rejects(awsError('UnsupportedTokenTypeException', 'x'));
    },
    () => signInEvent('jane', PASSWORD),
  ],
  [
    'temporary password',
    () => {
      source
        .on(AdminInitiateAuthCommand)
        .resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'session-x' });
      source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane));
    },
    () => signInEvent('jane', PASSWORD),
  ],
  [
    'wrong password',
    () =>
      source
        .on(AdminInitiateAuthCommand)
        .rejects(awsError('NotAuthorizedException', 'Incorrect username or password.')),
    () => signInEvent('jane', PASSWORD),
  ],
  [
    'throttled',
    () => source.on(AdminInitiateAuthCommand).rejects(awsError('TooManyRequestsException', 'Rate exceeded')),
    () => signInEvent('jane', PASSWORD),
  ],
  [
    'unexpected crash',
    () =>
      source.on(AdminInitiateAuthCommand).callsFake(() => Promise.reject(new TypeError(`boom ${PASSWORD}`))),
    () => signInEvent('jane', PASSWORD),
  ],
  [
    'forgot password',
    () => source.on(AdminGetUserCommand).resolves(adminGetUserOf(jane)),
    () => forgotPasswordEvent(),
  ],
];

describe('output of the lazy-migrate trigger', () => {
  it.each(PATHS)(
    'never contains the password, client secret or a token (%s)',
    async (_path, arrange, makeEvent) => {
      arrange();
      const deps = makeDeps(table, {
        config: aConfig({
          source: { userPoolId: 'us-east-1_Source1', migrationClientId: 'c', migrationClientSecret: SECRET },
        }),
      });
      deps.logger = Object.assign(createLogger('lazy-migrate', { logLevel: 'DEBUG' }), { entries: [] });
      deps.metrics = powertoolsOutcomeMetrics(
        new Metrics({ namespace: 'test', serviceName: 'lazy-migrate' }),
      );
      const output: string[] = [];
      const capture = (chunk: unknown) => {
        output.push(String(chunk));
        return true;
      };
      const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture);
      const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture);
      const consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) =>
        jest
          .spyOn(console, level)
          .mockImplementation((...args: unknown[]) => void output.push(args.map(String).join(' '))),
      );
      let thrown: unknown;
      try {
        await handleLazyMigrate(makeEvent(deps), deps);
      } catch (error) {
        thrown = error;
      } finally {
        stdout.mockRestore();
        stderr.mockRestore();
        consoleSpies.forEach((spy) => spy.mockRestore());
      }
      const everything = [
        ...output,
        thrown instanceof Error ? `${thrown.message} ${thrown.stack} ${JSON.stringify(thrown)}` : '',
      ].join('\n');

      expect(output.join('')).toMatch(/"reason"/); // the outcome was logged, so the capture worked
      expect(everything).not.toContain(PASSWORD);
      expect(everything).not.toContain(SECRET);
      expect(everything).not.toContain(REFRESH);
      expect(everything).not.toContain('session-x');
    },
  );
});
