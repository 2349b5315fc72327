import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminUserGlobalSignOutCommand,
  AdminAddUserToGroupCommand,
  CreateGroupCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import {
  claimsOf,
  createConfirmedUser,
  createPool,
  errorOf,
  PASSWORD,
  secretHash,
  useHarness,
} from './helpers';

const h = useHarness();

const signIn = (
  clientId: string,
  username: string,
  password = PASSWORD,
  extra: Record<string, string> = {},
) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password, ...extra },
    }),
  );

describe('password sign-in', () => {
  it('issues ID, access and refresh tokens with AWS claims', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'ada', { email: 'ada@example.com', email_verified: 'true' });
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'staff' }));
    await h.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'staff', Username: 'ada' }),
    );
    const { AuthenticationResult: tokens } = await signIn(clientId, 'ada');
    const id = claimsOf(tokens!.IdToken);
    const access = claimsOf(tokens!.AccessToken);
    expect(id).toMatchObject({
      token_use: 'id',
      'cognito:username': 'ada',
      aud: clientId,
      email: 'ada@example.com',
      email_verified: true,
      'cognito:groups': ['staff'],
    });
    expect(id.iss).toBe(`${h.emulator.endpoint}/${poolId}`);
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: clientId,
      username: 'ada',
      scope: 'aws.cognito.signin.user.admin',
      'cognito:groups': ['staff'],
    });
    expect(access.sub).toBe(id.sub);
    expect(tokens!.RefreshToken).toEqual(expect.any(String));
  });

  it('answers a wrong password with NotAuthorizedException "Incorrect username or password."', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'bea');
    const error = await errorOf(signIn(clientId, 'bea', 'Wrong-pass1'));
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('answers an unknown user with UserNotFoundException when PreventUserExistenceErrors is LEGACY', async () => {
    const { clientId } = await createPool(h);
    const error = await errorOf(signIn(clientId, 'nobody'));
    expect(error).toMatchObject({ name: 'UserNotFoundException', message: 'User does not exist.' });
  });

  it('answers an unknown user like a wrong password when PreventUserExistenceErrors is ENABLED', async () => {
    const { clientId } = await createPool(h, {}, { PreventUserExistenceErrors: 'ENABLED' });
    const error = await errorOf(signIn(clientId, 'nobody'));
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('refuses USER_PASSWORD_AUTH on a client that does not allow it', async () => {
    const { poolId, clientId } = await createPool(
      h,
      {},
      { ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH'] },
    );
    await createConfirmedUser(h, poolId, 'cy');
    const error = await errorOf(signIn(clientId, 'cy'));
    expect(error).toMatchObject({
      name: 'InvalidParameterException',
      message: 'USER_PASSWORD_AUTH flow not enabled for this client',
    });
  });

  it('refuses ADMIN_USER_PASSWORD_AUTH on a client without ALLOW_ADMIN_USER_PASSWORD_AUTH', async () => {
    const { poolId, clientId } = await createPool(
      h,
      {},
      { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] },
    );
    await createConfirmedUser(h, poolId, 'cyd');
    const error = await errorOf(
      h.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'cyd', PASSWORD },
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('requires SECRET_HASH from a client with a secret', async () => {
    const { poolId, clientId } = await createPool(h, {}, { GenerateSecret: true });
    await createConfirmedUser(h, poolId, 'dee');
    const error = await errorOf(signIn(clientId, 'dee'));
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: `Client ${clientId} is configured with secret but SECRET_HASH was not received`,
    });
  });

  it('accepts a correct SECRET_HASH and refuses a wrong one', async () => {
    const { poolId, clientId, clientSecret } = await createPool(h, {}, { GenerateSecret: true });
    await createConfirmedUser(h, poolId, 'eve');
    const ok = await signIn(clientId, 'eve', PASSWORD, {
      SECRET_HASH: secretHash('eve', clientId, clientSecret!),
    });
    const error = await errorOf(
      signIn(clientId, 'eve', PASSWORD, { SECRET_HASH: secretHash('eve', clientId, 'wrong') }),
    );
    expect(ok.AuthenticationResult?.AccessToken).toBeDefined();
    expect(error.message).toBe(`Unable to verify secret hash for client ${clientId}`);
  });

  it('signs in with a verified email alias', async () => {
    const { poolId, clientId } = await createPool(h, {
      AliasAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
    });
    await createConfirmedUser(h, poolId, 'fox', { email: 'fox@example.com', email_verified: 'true' });
    const result = await signIn(clientId, 'FOX@example.com');
    expect(claimsOf(result.AuthenticationResult!.IdToken)['cognito:username']).toBe('fox');
  });

  it('does not resolve an unverified email alias', async () => {
    const { poolId, clientId } = await createPool(h, { AliasAttributes: ['email'] });
    await createConfirmedUser(h, poolId, 'gus', { email: 'gus@example.com' });
    const error = await errorOf(signIn(clientId, 'gus@example.com'));
    expect(error.name).toBe('UserNotFoundException');
  });

  it('answers an UNCONFIRMED user with UserNotConfirmedException', async () => {
    const { clientId } = await createPool(h);
    await h.cognito.send(new SignUpCommand({ ClientId: clientId, Username: 'hank', Password: PASSWORD }));
    const error = await errorOf(signIn(clientId, 'hank'));
    expect(error).toMatchObject({ name: 'UserNotConfirmedException', message: 'User is not confirmed.' });
  });

  it('answers a RESET_REQUIRED user with PasswordResetRequiredException', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'ike', { email: 'ike@example.com', email_verified: 'true' });
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'ike' }));
    const error = await errorOf(signIn(clientId, 'ike'));
    expect(error).toMatchObject({
      name: 'PasswordResetRequiredException',
      message: 'Password reset required for the user',
    });
  });
});

describe('challenges', () => {
  it('asks a FORCE_CHANGE_PASSWORD user for NEW_PASSWORD_REQUIRED and then issues tokens', async () => {
    const { poolId, clientId } = await createPool(h);
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'jo',
        TemporaryPassword: 'Temp0rary!',
        MessageAction: 'SUPPRESS',
      }),
    );
    const first = await signIn(clientId, 'jo', 'Temp0rary!');
    const done = await h.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'NEW_PASSWORD_REQUIRED',
        Session: first.Session,
        ChallengeResponses: { USERNAME: 'jo', NEW_PASSWORD: 'Brand-new1' },
      }),
    );
    expect(first.ChallengeName).toBe('NEW_PASSWORD_REQUIRED');
    expect(done.AuthenticationResult?.IdToken).toBeDefined();
    expect((await signIn(clientId, 'jo', 'Brand-new1')).AuthenticationResult).toBeDefined();
  });

  it('asks an SMS MFA user for SMS_MFA with the code in the outbox', async () => {
    const { poolId, clientId } = await createPool(h, { MfaConfiguration: 'OPTIONAL' });
    await createConfirmedUser(h, poolId, 'kim', {
      phone_number: '+15550001234',
      phone_number_verified: 'true',
    });
    await h.cognito.send(
      new AdminSetUserMFAPreferenceCommand({
        UserPoolId: poolId,
        Username: 'kim',
        SMSMfaSettings: { Enabled: true, PreferredMfa: true },
      }),
    );
    const first = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'kim', PASSWORD },
      }),
    );
    const code = h.emulator.outbox.latestCode(poolId, 'kim', 'mfa');
    const done = await h.cognito.send(
      new AdminRespondToAuthChallengeCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ChallengeName: 'SMS_MFA',
        Session: first.Session,
        ChallengeResponses: { USERNAME: 'kim', SMS_MFA_CODE: code! },
      }),
    );
    expect(first.ChallengeName).toBe('SMS_MFA');
    expect(first.ChallengeParameters).toMatchObject({
      CODE_DELIVERY_DELIVERY_MEDIUM: 'SMS',
      CODE_DELIVERY_DESTINATION: '+*******1234',
    });
    expect(done.AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('refuses a wrong SMS code with CodeMismatchException', async () => {
    const { poolId, clientId } = await createPool(h, { MfaConfiguration: 'ON' });
    await createConfirmedUser(h, poolId, 'lou', { phone_number: '+15550009999' });
    const first = await signIn(clientId, 'lou');
    const error = await errorOf(
      h.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SMS_MFA',
          Session: first.Session,
          ChallengeResponses: { USERNAME: 'lou', SMS_MFA_CODE: 'nope' },
        }),
      ),
    );
    expect(error.name).toBe('CodeMismatchException');
  });

  it('refuses an unknown session', async () => {
    const { clientId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(
        new RespondToAuthChallengeCommand({
          ClientId: clientId,
          ChallengeName: 'SMS_MFA',
          Session: 'x'.repeat(40),
          ChallengeResponses: { USERNAME: 'a', SMS_MFA_CODE: '1' },
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Invalid session for the user, session is expired.',
    });
  });
});

describe('tokens after sign-in', () => {
  it('REFRESH_TOKEN_AUTH issues new ID and access tokens without a new refresh token', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'max');
    const { AuthenticationResult: first } = await signIn(clientId, 'max');
    const { AuthenticationResult: again } = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: { REFRESH_TOKEN: first!.RefreshToken! },
      }),
    );
    expect(again!.IdToken).toBeDefined();
    expect(again!.RefreshToken).toBeUndefined();
  });

  it('RevokeToken revokes the refresh token and the access tokens it issued', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'ned');
    const { AuthenticationResult: tokens } = await signIn(clientId, 'ned');
    await h.cognito.send(new RevokeTokenCommand({ ClientId: clientId, Token: tokens!.RefreshToken! }));
    const refresh = await errorOf(
      h.cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens!.RefreshToken! },
        }),
      ),
    );
    const getUser = await errorOf(h.cognito.send(new GetUserCommand({ AccessToken: tokens!.AccessToken! })));
    expect(refresh.name).toBe('NotAuthorizedException');
    expect(getUser).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Access Token has been revoked',
    });
  });

  it('GetUser returns the user of a valid access token', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'ola', { email: 'ola@example.com' });
    const { AuthenticationResult: tokens } = await signIn(clientId, 'ola');
    const user = await h.cognito.send(new GetUserCommand({ AccessToken: tokens!.AccessToken! }));
    expect(user.Username).toBe('ola');
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'ola@example.com' });
  });

  it('AdminUserGlobalSignOut invalidates refresh tokens', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'pam');
    const { AuthenticationResult: tokens } = await signIn(clientId, 'pam');
    await h.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'pam' }));
    const error = await errorOf(
      h.cognito.send(
        new InitiateAuthCommand({
          ClientId: clientId,
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: tokens!.RefreshToken! },
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Refresh Token has been revoked',
    });
  });

  it('puts only the client ReadAttributes in the ID token', async () => {
    const { poolId, clientId } = await createPool(h);
    await h.cognito.send(
      new UpdateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        ReadAttributes: ['email'],
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    await createConfirmedUser(h, poolId, 'quinn', { email: 'q@example.com', name: 'Quinn' });
    const { AuthenticationResult: tokens } = await signIn(clientId, 'quinn');
    const id = claimsOf(tokens!.IdToken);
    expect(id.email).toBe('q@example.com');
    expect(id.name).toBeUndefined();
  });
});
