import {
  AdminGetUserCommand,
  ConfirmForgotPasswordCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPool, errorOf, PASSWORD, useHarness } from './helpers';

const ARN = 'arn:aws:lambda:eu-west-1:000000000000:function:migrate';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (event: any) => Promise<any>;
let handler: Handler;
let events: Record<string, unknown>[];
const h = useHarness({ triggerTimeoutMs: 50, functions: { [ARN]: (event) => handler(event) } });
beforeEach(() => {
  events = [];
  handler = async (event) => {
    events.push(structuredClone(event));
    event.response.userAttributes = { email: 'legacy@example.com', email_verified: 'true' };
    event.response.finalUserStatus = 'CONFIRMED';
    event.response.messageAction = 'SUPPRESS';
    return event;
  };
});

const migrationPool = (pool: Record<string, unknown> = {}, client: Record<string, unknown> = {}) =>
  createPool(
    h,
    {
      LambdaConfig: { UserMigration: ARN },
      Schema: [{ Name: 'legacy_sub', AttributeDataType: 'String' }],
      ...pool,
    },
    client,
  );

const signIn = (clientId: string, username: string, password = PASSWORD) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD: password },
      ClientMetadata: { app: 'web' },
    }),
  );

describe('UserMigration_Authentication', () => {
  it('sends the documented event: triggerSource, userName, request.password, validationData and clientMetadata', async () => {
    const { poolId, clientId } = await migrationPool();
    await signIn(clientId, 'legacy');
    expect(events[0]).toMatchObject({
      version: '1',
      triggerSource: 'UserMigration_Authentication',
      userPoolId: poolId,
      userName: 'legacy',
      callerContext: { clientId },
      request: { password: PASSWORD, validationData: { app: 'web' }, clientMetadata: { app: 'web' } },
      response: {},
    });
  });

  it('creates the user CONFIRMED with the typed username and issues tokens', async () => {
    const { poolId, clientId } = await migrationPool();
    const result = await signIn(clientId, 'Legacy.User');
    const user = await h.cognito.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Legacy.User' }),
    );
    expect(result.AuthenticationResult?.IdToken).toBeDefined();
    expect(user).toMatchObject({ Username: 'Legacy.User', UserStatus: 'CONFIRMED' });
    expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
  });

  it('makes the typed password the user password, so the next sign-in needs no trigger', async () => {
    const { clientId } = await migrationPool();
    await signIn(clientId, 'again');
    handler = async () => {
      throw new Error('should not be called');
    };
    const second = await signIn(clientId, 'again');
    expect(second.AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('answers UserNotFoundException "UserMigration failed with error ..." when the trigger throws (LEGACY client)', async () => {
    const { clientId } = await migrationPool();
    handler = async () => {
      throw new Error('Bad password');
    };
    const error = await errorOf(signIn(clientId, 'who'));
    expect(error).toMatchObject({
      name: 'UserNotFoundException',
      message: 'UserMigration failed with error Bad password.',
    });
  });

  it('answers "Incorrect username or password." when the trigger throws and PreventUserExistenceErrors is ENABLED', async () => {
    const { clientId } = await migrationPool({}, { PreventUserExistenceErrors: 'ENABLED' });
    handler = async () => {
      throw new Error('Bad password');
    };
    const error = await errorOf(signIn(clientId, 'who'));
    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'Incorrect username or password.',
    });
  });

  it('fails the sign-in when the trigger returns no attributes, creating nobody', async () => {
    const { poolId, clientId } = await migrationPool({}, { PreventUserExistenceErrors: 'ENABLED' });
    handler = async (event) => event;
    const error = await errorOf(signIn(clientId, 'empty'));
    const lookup = await errorOf(
      h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'empty' })),
    );
    expect(error.message).toBe('Incorrect username or password.');
    expect(lookup.name).toBe('UserNotFoundException');
  });

  it.each([
    ['sub in the attributes', { sub: 'abc', email: 'a@example.com' }, {}],
    ['an attribute the schema lacks', { 'custom:unknown': 'x' }, {}],
    ['a bad finalUserStatus', { email: 'a@example.com' }, { finalUserStatus: 'FORCE_CHANGE_PASSWORD' }],
    ['a bad messageAction', { email: 'a@example.com' }, { messageAction: 'SHOUT' }],
    ['a bad desiredDeliveryMediums', { email: 'a@example.com' }, { desiredDeliveryMediums: ['PIGEON'] }],
  ])('fails the sign-in for a response with %s', async (_case, attributes, extra) => {
    const { poolId, clientId } = await migrationPool();
    handler = async (event) => ({
      ...event,
      response: { userAttributes: attributes, messageAction: 'SUPPRESS', ...extra },
    });
    const error = await errorOf(signIn(clientId, 'bad-response'));
    const lookup = await errorOf(
      h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bad-response' })),
    );
    expect(error.name).toBe('UserNotFoundException');
    expect(lookup.name).toBe('UserNotFoundException');
  });

  it('fails the sign-in when the trigger misses its deadline', async () => {
    const { clientId } = await migrationPool();
    handler = () => new Promise(() => {});
    const error = await errorOf(signIn(clientId, 'slow'));
    expect(error.name).toBe('UserNotFoundException');
  });

  it('stores a writable custom attribute from the response', async () => {
    const { poolId, clientId } = await migrationPool();
    handler = async (event) => ({
      ...event,
      response: { userAttributes: { 'custom:legacy_sub': 'old-sub' }, messageAction: 'SUPPRESS' },
    });
    await signIn(clientId, 'custom');
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'custom' }));
    expect(user.UserAttributes).toContainEqual({ Name: 'custom:legacy_sub', Value: 'old-sub' });
  });

  it('with finalUserStatus RESET_REQUIRED creates the user and answers PasswordResetRequiredException', async () => {
    const { poolId, clientId } = await migrationPool();
    handler = async (event) => ({
      ...event,
      response: {
        userAttributes: { email: 'r@example.com', email_verified: 'true' },
        finalUserStatus: 'RESET_REQUIRED',
        messageAction: 'SUPPRESS',
      },
    });
    const error = await errorOf(signIn(clientId, 'resetme'));
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'resetme' }));
    expect(error.name).toBe('PasswordResetRequiredException');
    expect(user.UserStatus).toBe('RESET_REQUIRED');
  });

  it('with enableSMSMFA answers the SMS_MFA challenge before issuing tokens', async () => {
    const { poolId, clientId } = await migrationPool({ MfaConfiguration: 'OPTIONAL' });
    handler = async (event) => ({
      ...event,
      response: {
        userAttributes: { phone_number: '+15550004321', phone_number_verified: 'true' },
        finalUserStatus: 'CONFIRMED',
        messageAction: 'SUPPRESS',
        enableSMSMFA: true,
      },
    });
    const first = await signIn(clientId, 'smsuser');
    const code = h.emulator.outbox.latestCode(poolId, 'smsuser', 'mfa');
    const done = await h.cognito.send(
      new RespondToAuthChallengeCommand({
        ClientId: clientId,
        ChallengeName: 'SMS_MFA',
        Session: first.Session,
        ChallengeResponses: { USERNAME: 'smsuser', SMS_MFA_CODE: code! },
      }),
    );
    expect(first.ChallengeName).toBe('SMS_MFA');
    expect(done.AuthenticationResult?.IdToken).toBeDefined();
  });

  it('in an email-alias pool takes the username from userAttributes.username and stores the typed email', async () => {
    const { poolId, clientId } = await migrationPool({
      AliasAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
    });
    handler = async (event) => ({
      ...event,
      response: {
        userAttributes: { username: 'jdoe', email: 'jdoe@example.com', email_verified: 'true' },
        finalUserStatus: 'CONFIRMED',
        messageAction: 'SUPPRESS',
      },
    });
    await signIn(clientId, 'JDoe@Example.com');
    const user = await h.cognito.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: 'jdoe@example.com' }),
    );
    expect(user.Username).toBe('jdoe');
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'jdoe@example.com' });
  });

  it('sends the welcome message unless messageAction is SUPPRESS', async () => {
    const { poolId, clientId } = await migrationPool();
    handler = async (event) => ({
      ...event,
      response: { userAttributes: { email: 'w@example.com' }, desiredDeliveryMediums: ['EMAIL'] },
    });
    await signIn(clientId, 'welcomed');
    expect(h.emulator.outbox.list({ userPoolId: poolId, username: 'welcomed' })).toEqual([
      expect.objectContaining({ kind: 'welcome', medium: 'EMAIL' }),
    ]);
  });
});

describe('UserMigration_ForgotPassword', () => {
  it('sends the event without a password and creates the user RESET_REQUIRED with a reset code in the outbox', async () => {
    const { poolId, clientId } = await migrationPool();
    handler = async (event) => {
      events.push(structuredClone(event));
      return {
        ...event,
        response: {
          userAttributes: { email: 'f@example.com', email_verified: 'true' },
          messageAction: 'SUPPRESS',
        },
      };
    };
    const result = await h.cognito.send(
      new ForgotPasswordCommand({ ClientId: clientId, Username: 'forgetful' }),
    );
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'forgetful' }));
    expect(events[0]).toMatchObject({ triggerSource: 'UserMigration_ForgotPassword', userName: 'forgetful' });
    expect((events[0]!.request as Record<string, unknown>).password).toBeUndefined();
    expect(user.UserStatus).toBe('RESET_REQUIRED');
    expect(result.CodeDeliveryDetails).toEqual({
      Destination: 'f***@e***',
      DeliveryMedium: 'EMAIL',
      AttributeName: 'email',
    });
    expect(h.emulator.outbox.latestCode(poolId, 'forgetful', 'reset')).toMatch(/^\d{6}$/);
  });

  it('lets the migrated user set a password with the code and sign in', async () => {
    const { poolId, clientId } = await migrationPool();
    await h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'resetter' }));
    const code = h.emulator.outbox.latestCode(poolId, 'resetter', 'reset')!;
    await h.cognito.send(
      new ConfirmForgotPasswordCommand({
        ClientId: clientId,
        Username: 'resetter',
        ConfirmationCode: code,
        Password: 'N3w-password',
      }),
    );
    const result = await signIn(clientId, 'resetter', 'N3w-password');
    expect(result.AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('answers UserNotFoundException when the trigger refuses (LEGACY client)', async () => {
    const { clientId } = await migrationPool();
    handler = async () => {
      throw new Error('unknown');
    };
    const error = await errorOf(
      h.cognito.send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'stranger' })),
    );
    expect(error.name).toBe('UserNotFoundException');
  });
});
