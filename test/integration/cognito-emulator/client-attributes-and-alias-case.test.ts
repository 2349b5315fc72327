import {
  AdminGetUserCommand,
  InitiateAuthCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser, createPool, errorOf, PASSWORD, useHarness } from './helpers';

const h = useHarness();

const signUp = (clientId: string, username: string, attributes: Record<string, string>) =>
  h.cognito.send(
    new SignUpCommand({
      ClientId: clientId,
      Username: username,
      Password: PASSWORD,
      UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    }),
  );

/**
 * UserPoolClientType.WriteAttributes (Amazon Cognito API Reference): "When you don't specify the
 * WriteAttributes for your app client, your app can write the values of the Standard attributes
 * of your user pool." Custom attributes are writable only by a client that lists them.
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UserPoolClientType.html
 */
describe('app client write permissions', () => {
  const schema = [{ Name: 'legacy_sub', AttributeDataType: 'String' as const, Mutable: true }];

  it('refuses SignUp writing a custom attribute through a client without WriteAttributes', async () => {
    const { clientId } = await createPool(h, { Schema: schema });

    const error = await errorOf(signUp(clientId, 'mallory', { 'custom:legacy_sub': 'victim-sub' }));

    expect(error).toMatchObject({
      name: 'NotAuthorizedException',
      message: 'A client attempted to write unauthorized attribute',
    });
  });

  it('lets a client without WriteAttributes write standard attributes', async () => {
    const { clientId } = await createPool(h, { Schema: schema });

    const answer = await signUp(clientId, 'nina', { email: 'nina@example.com', name: 'Nina' });

    expect(answer.UserSub).toEqual(expect.any(String));
  });

  it('lets a client that lists the custom attribute in WriteAttributes write it', async () => {
    const { clientId } = await createPool(h, { Schema: schema }, { WriteAttributes: ['custom:legacy_sub'] });

    const answer = await signUp(clientId, 'omar', { 'custom:legacy_sub': 'abc' });

    expect(answer.UserSub).toEqual(expect.any(String));
  });
});

/**
 * UsernameConfigurationType.CaseSensitive (Amazon Cognito API Reference): true "users must sign in
 * using the exact capitalization"; false "also enables both preferred_username and email alias to
 * be case insensitive, in addition to the username attribute."
 * https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_UsernameConfigurationType.html
 */
describe('alias lookup and the pool case sensitivity', () => {
  const attributes = { email: 'Pat@Example.com', email_verified: 'true' };

  it('resolves an email alias only in its exact case in a case-sensitive pool', async () => {
    const { poolId } = await createPool(h, { AliasAttributes: ['email'] });
    await createConfirmedUser(h, poolId, 'pat', attributes);

    const exact = await h.cognito.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: 'Pat@Example.com' }),
    );
    const other = await errorOf(
      h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'pat@example.com' })),
    );

    expect(exact.Username).toBe('pat');
    expect(other.name).toBe('UserNotFoundException');
  });

  it('resolves an email alias in any case in a case-insensitive pool', async () => {
    const { poolId, clientId } = await createPool(h, {
      AliasAttributes: ['email'],
      UsernameConfiguration: { CaseSensitive: false },
    });
    await createConfirmedUser(h, poolId, 'pat', attributes);

    const signedIn = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'PAT@EXAMPLE.COM', PASSWORD },
      }),
    );

    expect(signedIn.AuthenticationResult?.AccessToken).toEqual(expect.any(String));
  });
});
