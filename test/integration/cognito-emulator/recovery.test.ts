import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { createConfirmedUser, createPool, errorOf, PASSWORD, useHarness } from './helpers';

const clock = new ManualClock();
const h = useHarness({ clock });

const verifiedEmail = (name: string) => ({ email: `${name}@example.com`, email_verified: 'true' });

describe('SignUp and ConfirmSignUp', () => {
  it('creates an UNCONFIRMED user and sends the confirmation code to the auto-verified email', async () => {
    const { poolId, clientId } = await createPool(h, { AutoVerifiedAttributes: ['email'] });
    const result = await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'nia',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'nia@example.com' }],
      }),
    );
    expect(result.UserConfirmed).toBe(false);
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: 'n***@e***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    expect(h.emulator.outbox.latestCode(poolId, 'nia', 'signup')).toMatch(/^\d{6}$/);
  });

  it('confirms with the code from the outbox and verifies the email', async () => {
    const { poolId, clientId } = await createPool(h, { AutoVerifiedAttributes: ['email'] });
    await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'oli',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'oli@example.com' }],
      }),
    );
    const code = h.emulator.outbox.latestCode(poolId, 'oli', 'signup')!;
    await h.cognito.send(
      new ConfirmSignUpCommand({ ClientId: clientId, Username: 'oli', ConfirmationCode: code }),
    );
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'oli' }));
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
  });

  it('refuses a wrong confirmation code with CodeMismatchException', async () => {
    const { clientId } = await createPool(h, { AutoVerifiedAttributes: ['email'] });
    await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'pia',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'pia@example.com' }],
      }),
    );
    const error = await errorOf(
      h.cognito.send(
        new ConfirmSignUpCommand({ ClientId: clientId, Username: 'pia', ConfirmationCode: 'x' }),
      ),
    );
    expect(error.name).toBe('CodeMismatchException');
  });

  it('refuses SignUp when the pool allows only administrators to create users', async () => {
    const { clientId } = await createPool(h, { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
    const error = await errorOf(
      h.cognito.send(new SignUpCommand({ ClientId: clientId, Username: 'rex', Password: PASSWORD })),
    );
    expect(error.name).toBe('NotAuthorizedException');
  });
});

describe('ForgotPassword and ConfirmForgotPassword', () => {
  it('sends a reset code to the verified email', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'sol', verifiedEmail('sol'));
    const result = await h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'sol' }));
    expect(result.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
    expect(h.emulator.outbox.latestCode(poolId, 'sol', 'reset')).toMatch(/^\d{6}$/);
  });

  it('refuses a user with no verified email or phone with InvalidParameterException', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'tom', { email: 'tom@example.com' });
    const error = await errorOf(
      h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'tom' })),
    );
    expect(error).toMatchObject({
      name: 'InvalidParameterException',
      message: 'Cannot reset password for the user as there is no registered/verified email or phone_number',
    });
  });

  it('answers an unknown user with UserNotFoundException on a LEGACY client', async () => {
    const { clientId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'ghost' })),
    );
    expect(error.name).toBe('UserNotFoundException');
  });

  it('pretends to send a code to an unknown user when PreventUserExistenceErrors is ENABLED', async () => {
    const { clientId } = await createPool(h, {}, { PreventUserExistenceErrors: 'ENABLED' });
    const result = await h.cognito.send(
      new ForgotPasswordCommand({ ClientId: clientId, Username: 'ghost@example.com' }),
    );
    expect(result.CodeDeliveryDetails?.DeliveryMedium).toBe('EMAIL');
  });

  it('sets the new password and confirms the user with the right code', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'uli', verifiedEmail('uli'));
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'uli' }));
    const code = h.emulator.outbox.latestCode(poolId, 'uli', 'reset')!;
    await h.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'uli',
        ConfirmationCode: code,
        Password: 'Fresh-pass1',
      }),
    );
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'uli' }));
    expect(user.UserStatus).toBe('CONFIRMED');
  });

  it('refuses a wrong code with CodeMismatchException', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'val', verifiedEmail('val'));
    await h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'val' }));
    const error = await errorOf(
      h.cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'val',
          ConfirmationCode: '000000x',
          Password: 'Fresh-pass1',
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'CodeMismatchException',
      message: 'Invalid verification code provided, please try again.',
    });
  });

  it('refuses a code older than an hour with ExpiredCodeException', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'wyn', verifiedEmail('wyn'));
    await h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'wyn' }));
    const code = h.emulator.outbox.latestCode(poolId, 'wyn', 'reset')!;
    clock.advance(61 * 60_000);
    const error = await errorOf(
      h.cognito.send(
        new ConfirmForgotPasswordCommand({
          ClientId: clientId,
          Username: 'wyn',
          ConfirmationCode: code,
          Password: 'Fresh-pass1',
        }),
      ),
    );
    expect(error.name).toBe('ExpiredCodeException');
  });
});

describe('AdminResetUserPassword', () => {
  it('puts the user in RESET_REQUIRED and sends one reset code', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'xia', verifiedEmail('xia'));
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'xia' }));
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'xia' }));
    expect(user.UserStatus).toBe('RESET_REQUIRED');
    expect(
      h.emulator.outbox.list({ userPoolId: poolId, username: 'xia' }).filter((m) => m.kind === 'reset'),
    ).toHaveLength(1);
  });

  it('refuses a FORCE_CHANGE_PASSWORD user: "User password cannot be reset in the current state."', async () => {
    const { poolId } = await createPool(h);
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'zoe',
        MessageAction: 'SUPPRESS',
        UserAttributes: [
          { Name: 'email', Value: 'zoe@example.com' },
          { Name: 'email_verified', Value: 'true' },
        ],
      }),
    );
    const error = await errorOf(
      h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'zoe' })),
    );
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'User password cannot be reset in the current state.',
    });
  });

  it('is readable through GET /local/outbox', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'yul', verifiedEmail('yul'));
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'yul' }));
    const res = await fetch(`${h.emulator.endpoint}/local/outbox?userPoolId=${poolId}&username=yul`);
    const body = (await res.json()) as { messages: { kind: string; code: string }[] };
    expect(body.messages).toEqual([
      expect.objectContaining({ kind: 'reset', code: h.emulator.outbox.latestCode(poolId, 'yul') }),
    ]);
  });
});
