import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createLogger } from '#shared/logger';
import { getUser } from '#shared/table/users';
import { SIGN_UP_CONFLICT_MESSAGE } from '../../functions/lazy-migrate/pre-sign-up';
import { captureOutput, switchableLogger, TOKEN_PATTERNS } from './support/capture-output';
import { outcomeOf, startFaultStack, type FaultStack } from './support/fault-stack';
import { PASSWORD, seedSecurityPopulation, USERS, WRONG_PASSWORD } from './support/population';

let stack: FaultStack;
const output = switchableLogger();

beforeAll(async () => {
  stack = await startFaultStack({ logger: output.logger });
  seedSecurityPopulation(stack.emulator, stack.source.poolId);
  const sync = await stack.functions.bulkSync({ taskBudgetSeconds: 5 });
  expect(sync.status).toBe('SUCCEEDED');
});
afterAll(() => stack.close());

const targetUser = (username: string) =>
  outcomeOf(stack.app.send(new AdminGetUserCommand({ UserPoolId: stack.target.poolId, Username: username })));

describe('security: what leaves the system', () => {
  it('writes no password, client secret, token or reset code to any output line, on every lazy-migrate path', async () => {
    const issued: string[] = [];
    output.use(createLogger('faults', { logLevel: 'DEBUG' }));
    const { lines } = await captureOutput(async () => {
      const signedIn = await stack.signIn(USERS.active, PASSWORD);
      const result = signedIn.AuthenticationResult!;
      issued.push(result.AccessToken!, result.IdToken!, result.RefreshToken!);
      await outcomeOf(stack.signIn(USERS.active.toUpperCase(), WRONG_PASSWORD));
      await outcomeOf(stack.signIn(USERS.unknown, PASSWORD));
      await outcomeOf(stack.signIn(USERS.disabled, PASSWORD));
      await outcomeOf(stack.signIn(USERS.unconfirmed, PASSWORD));
      await outcomeOf(stack.signIn(USERS.totp, PASSWORD));
      await outcomeOf(stack.forgotPassword(USERS.forgetful));
      const code = stack.emulator.outbox.latestCode(stack.target.poolId, USERS.forgetful)!;
      issued.push(code);
      await stack.app.send(
        new ConfirmForgotPasswordCommand({
          ClientId: stack.target.clientId,
          Username: USERS.forgetful,
          ConfirmationCode: code,
          Password: `${PASSWORD}-2`,
        }),
      );
      await outcomeOf(stack.forgotPassword(USERS.federated));
      await outcomeOf(stack.forgotPassword(USERS.unknown));
      await outcomeOf(
        stack.app.send(
          new SignUpCommand({
            ClientId: stack.target.clientId,
            Username: 'squatter',
            Password: PASSWORD,
            UserAttributes: [{ Name: 'email', Value: `${USERS.disabled}@example.com` }],
          }),
        ),
      );
      await stack.functions.idle();
    });
    output.use(undefined);

    const secrets = [PASSWORD, WRONG_PASSWORD, stack.config.source.migrationClientSecret!, ...issued];
    expect(lines.filter((line) => line.includes('"reason"')).length).toBeGreaterThanOrEqual(10);
    for (const line of lines) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      for (const pattern of TOKEN_PATTERNS) expect(line).not.toMatch(pattern);
    }
  });

  it('answers a wrong password (before and after migration), an unknown, a disabled and an unconfirmed user byte-identically', async () => {
    const answers = [
      await outcomeOf(stack.signIn('probe-unknown', PASSWORD)),
      await outcomeOf(stack.signIn(USERS.prober, WRONG_PASSWORD)),
      await outcomeOf(stack.signIn(USERS.active, WRONG_PASSWORD)),
      await outcomeOf(stack.signIn(USERS.disabled, PASSWORD)),
      await outcomeOf(stack.signIn(USERS.unconfirmed, PASSWORD)),
    ];

    // PreventUserExistenceErrors ENABLED (as infra sets it): every failure reads as a wrong password.
    expect(answers[0]).toEqual({
      ok: false,
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
    expect(answers.slice(1)).toEqual(answers.slice(1).map(() => answers[0]));
    expect(await targetUser(USERS.prober)).toMatchObject({ ok: false, name: 'UserNotFoundException' });
  });

  it('answers forgot-password for a disabled and a federated user exactly as for a name no pool knows', async () => {
    // The simulated answer for an unknown name depends on the name only; a pool nobody is in gives it.
    const control = (await stack.emulator.call('CreateUserPool', { PoolName: 'control' })) as {
      UserPool: { Id: string };
    };
    const controlClient = (await stack.emulator.call('CreateUserPoolClient', {
      UserPoolId: control.UserPool.Id,
      ClientName: 'control',
      PreventUserExistenceErrors: 'ENABLED',
    })) as { UserPoolClient: { ClientId: string } };
    const answer = async (clientId: string, username: string) => {
      const outcome = await outcomeOf(
        stack.app.send(new ForgotPasswordCommand({ ClientId: clientId, Username: username })),
      );
      return outcome.ok ? { ok: true, body: outcome.value.CodeDeliveryDetails } : outcome;
    };

    for (const username of [USERS.disabled, USERS.federated, USERS.unconfirmed]) {
      expect(await answer(stack.target.clientId, username)).toEqual(
        await answer(controlClient.UserPoolClient.ClientId, username),
      );
      expect(await targetUser(username)).toMatchObject({ ok: false, name: 'UserNotFoundException' });
    }
  });
});

describe('security: who may become a target user', () => {
  it('never gives a TOTP user a password-only session: the migrated user must reset and re-enrol', async () => {
    const signIn = await outcomeOf(stack.signIn(USERS.totp, PASSWORD));

    expect(signIn).toMatchObject({ ok: false, name: 'PasswordResetRequiredException' });
    expect(await targetUser(USERS.totp)).toMatchObject({ ok: true, value: { UserStatus: 'RESET_REQUIRED' } });
    expect(await getUser(stack.table, USERS.totp)).toMatchObject({ mfaReenrolRequired: true });
  });

  it('never makes a disabled, unconfirmed or federated source user a target user through sign-in or forgot-password', async () => {
    const guarded = [USERS.disabled, USERS.unconfirmed, USERS.federated];
    const outcomes = [];
    for (const username of guarded) {
      const signIn = await outcomeOf(stack.signIn(username, PASSWORD));
      await outcomeOf(stack.forgotPassword(username));
      outcomes.push({ username, signedIn: signIn.ok, inTarget: (await targetUser(username)).ok });
    }

    expect(outcomes).toEqual(guarded.map((username) => ({ username, signedIn: false, inTarget: false })));
    expect(stack.emulator.outbox.list({ userPoolId: stack.target.poolId })).not.toContainEqual(
      expect.objectContaining({ username: expect.stringMatching(/^(dora|ulla|Google_)/) }),
    );
  });

  it('refuses a stranger signing up with a legacy username, creating nobody, and the real user still migrates', async () => {
    const squat = await outcomeOf(
      stack.app.send(
        new SignUpCommand({
          ClientId: stack.target.clientId,
          Username: USERS.squatted.toUpperCase(),
          Password: 'Squatter-Passw0rd!',
          UserAttributes: [{ Name: 'email', Value: 'squatter@example.net' }],
        }),
      ),
    );
    const created = await targetUser(USERS.squatted);
    const owner = await outcomeOf(stack.signIn(USERS.squatted, PASSWORD));

    expect(squat).toMatchObject({ ok: false, name: 'UserLambdaValidationException' });
    expect(squat.ok ? '' : squat.message).toContain(SIGN_UP_CONFLICT_MESSAGE);
    expect(created).toMatchObject({ ok: false, name: 'UserNotFoundException' });
    expect(owner).toMatchObject({
      ok: true,
      value: { AuthenticationResult: { AccessToken: expect.any(String) } },
    });
  });
});
