import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CreateGroupCommand,
  AdminAddUserToGroupCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { claimsOf, createConfirmedUser, createPool, errorOf, PASSWORD, useHarness } from './helpers';

const PRE_SIGN_UP = 'arn:aws:lambda:eu-west-1:000000000000:function:pre-sign-up';
const PRE_TOKEN = 'arn:aws:lambda:eu-west-1:000000000000:function:pre-token';
const POST_AUTH = 'arn:aws:lambda:eu-west-1:000000000000:function:post-auth';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (event: any) => Promise<any>;
const passThrough: Handler = async (event) => event;
let handlers: Record<string, Handler>;
let events: Record<string, unknown>[];
const h = useHarness({ triggerTimeoutMs: 50 });

beforeAll(() => {
  for (const arn of [PRE_SIGN_UP, PRE_TOKEN, POST_AUTH])
    h.emulator.registerFunction(arn, async (event) => {
      events.push(structuredClone(event));
      return handlers[arn]!(event);
    });
});
beforeEach(() => {
  events = [];
  handlers = { [PRE_SIGN_UP]: passThrough, [PRE_TOKEN]: passThrough, [POST_AUTH]: passThrough };
});

const triggerPool = () =>
  createPool(h, {
    LambdaConfig: { PreSignUp: PRE_SIGN_UP, PreTokenGeneration: PRE_TOKEN, PostAuthentication: POST_AUTH },
  });

const signIn = (clientId: string, username: string) =>
  h.cognito.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: username, PASSWORD },
    }),
  );

describe('PreSignUp', () => {
  it('is called with PreSignUp_SignUp, the attributes and validationData on SignUp', async () => {
    const { clientId } = await triggerPool();
    await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'sam',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 's@example.com' }],
        ValidationData: [{ Name: 'captcha', Value: 'ok' }],
      }),
    );
    expect(events[0]).toMatchObject({
      triggerSource: 'PreSignUp_SignUp',
      userName: 'sam',
      callerContext: { clientId },
      request: { userAttributes: { email: 's@example.com' }, validationData: { captcha: 'ok' } },
    });
  });

  it('is called with PreSignUp_AdminCreateUser on AdminCreateUser', async () => {
    const { poolId } = await triggerPool();
    await h.cognito.send(
      new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'tia', MessageAction: 'SUPPRESS' }),
    );
    expect(events[0]).toMatchObject({ triggerSource: 'PreSignUp_AdminCreateUser', userName: 'tia' });
  });

  it('refuses the sign-up with UserLambdaValidationException "PreSignUp failed with error ..." when it throws', async () => {
    const { clientId } = await triggerPool();
    handlers[PRE_SIGN_UP] = async () => {
      throw new Error('An account with this email already exists');
    };
    const error = await errorOf(
      h.cognito.send(new SignUpCommand({ ClientId: clientId, Username: 'uma', Password: PASSWORD })),
    );
    expect(error).toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PreSignUp failed with error An account with this email already exists.',
    });
  });

  it('confirms the user and verifies the email when the response says autoConfirmUser and autoVerifyEmail', async () => {
    const { poolId, clientId } = await triggerPool();
    handlers[PRE_SIGN_UP] = async (event) => ({
      ...event,
      response: { autoConfirmUser: true, autoVerifyEmail: true },
    });
    const result = await h.cognito.send(
      new SignUpCommand({
        ClientId: clientId,
        Username: 'vic',
        Password: PASSWORD,
        UserAttributes: [{ Name: 'email', Value: 'v@example.com' }],
      }),
    );
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'vic' }));
    expect(result.UserConfirmed).toBe(true);
    expect(user.UserAttributes).toContainEqual({ Name: 'email_verified', Value: 'true' });
  });
});

describe('PreTokenGeneration', () => {
  it('receives the user groups in groupConfiguration with TokenGeneration_Authentication', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'wes');
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'readers' }));
    await h.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'readers', Username: 'wes' }),
    );
    events = [];
    await signIn(clientId, 'wes');
    expect(events.find((e) => e.triggerSource === 'TokenGeneration_Authentication')).toMatchObject({
      request: { groupConfiguration: { groupsToOverride: ['readers'] } },
    });
  });

  it('groupOverrideDetails.groupsToOverride replaces cognito:groups in both tokens', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'xan');
    handlers[PRE_TOKEN] = async (event) => ({
      ...event,
      response: { claimsOverrideDetails: { groupOverrideDetails: { groupsToOverride: ['a', 'b', 'c'] } } },
    });
    const { AuthenticationResult: tokens } = await signIn(clientId, 'xan');
    expect(claimsOf(tokens!.IdToken)['cognito:groups']).toEqual(['a', 'b', 'c']);
    expect(claimsOf(tokens!.AccessToken)['cognito:groups']).toEqual(['a', 'b', 'c']);
  });

  it('adds and suppresses ID token claims but never overrides protected ones', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'yas', { email: 'y@example.com' });
    handlers[PRE_TOKEN] = async (event) => ({
      ...event,
      response: {
        claimsOverrideDetails: {
          claimsToAddOrOverride: { tenant: 'acme', sub: 'forged' },
          claimsToSuppress: ['email'],
        },
      },
    });
    const { AuthenticationResult: tokens } = await signIn(clientId, 'yas');
    const id = claimsOf(tokens!.IdToken);
    expect(id.tenant).toBe('acme');
    expect(id.email).toBeUndefined();
    expect(id.sub).not.toBe('forged');
  });

  it('fails the sign-in with UserLambdaValidationException when it throws', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'zed');
    handlers[PRE_TOKEN] = async () => {
      throw new Error('boom');
    };
    const error = await errorOf(signIn(clientId, 'zed'));
    expect(error).toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PreTokenGeneration failed with error boom.',
    });
  });
});

describe('PostAuthentication', () => {
  it('is called with PostAuthentication_Authentication after a successful sign-in', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'abe', { email: 'abe@example.com' });
    await signIn(clientId, 'abe');
    expect(events.find((e) => e.triggerSource === 'PostAuthentication_Authentication')).toMatchObject({
      userName: 'abe',
      request: { userAttributes: { email: 'abe@example.com' } },
    });
  });

  it('fails the sign-in with UserLambdaValidationException when it throws', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'bo');
    handlers[POST_AUTH] = async () => {
      throw new Error('nope');
    };
    const error = await errorOf(signIn(clientId, 'bo'));
    expect(error).toMatchObject({
      name: 'UserLambdaValidationException',
      message: 'PostAuthentication failed with error nope.',
    });
  });

  it('fails the sign-in when it misses the deadline on every attempt', async () => {
    const { poolId, clientId } = await triggerPool();
    await createConfirmedUser(h, poolId, 'cal');
    let calls = 0;
    handlers[POST_AUTH] = () => {
      calls += 1;
      return new Promise(() => {});
    };
    const error = await errorOf(signIn(clientId, 'cal'));
    expect(error.name).toBe('UnexpectedLambdaException');
    expect(calls).toBe(3);
  });
});
