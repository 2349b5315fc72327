import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateUserAttributesCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser, createPool, errorOf, PASSWORD, useHarness } from './helpers';

const h = useHarness();

const attr = (name: string, value: string) => ({ Name: name, Value: value });

describe('AdminCreateUser', () => {
  it('creates the user FORCE_CHANGE_PASSWORD with a sub and sends the temporary password by email', async () => {
    const { poolId } = await createPool(h);
    const { User } = await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'ann',
        UserAttributes: [attr('email', 'ann@example.com')],
        DesiredDeliveryMediums: ['EMAIL'],
      }),
    );
    expect(User).toMatchObject({ Username: 'ann', UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true });
    expect(User!.Attributes!.find((a) => a.Name === 'sub')!.Value).toMatch(/^[0-9a-f-]{36}$/);
    expect(h.emulator.outbox.list({ userPoolId: poolId, username: 'ann' })).toEqual([
      expect.objectContaining({
        kind: 'invitation',
        medium: 'EMAIL',
        destination: 'ann@example.com',
        temporaryPassword: expect.any(String),
      }),
    ]);
  });

  it('sends nothing with MessageAction SUPPRESS', async () => {
    const { poolId } = await createPool(h);
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'quiet',
        UserAttributes: [attr('email', 'q@example.com')],
        MessageAction: 'SUPPRESS',
      }),
    );
    expect(h.emulator.outbox.list({ userPoolId: poolId })).toHaveLength(0);
  });

  it('refuses an existing username with UsernameExistsException', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'dup');
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'dup', MessageAction: 'SUPPRESS' }),
      ),
    );
    expect(error.name).toBe('UsernameExistsException');
  });

  it('refuses an attribute the schema lacks', async () => {
    const { poolId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'x',
          UserAttributes: [attr('custom:nope', '1')],
          MessageAction: 'SUPPRESS',
        }),
      ),
    );
    expect(error).toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('custom:nope: Attribute does not exist in the schema'),
    });
  });

  it('refuses sub as a written attribute', async () => {
    const { poolId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'x',
          UserAttributes: [attr('sub', 'abc')],
          MessageAction: 'SUPPRESS',
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('refuses an email-format username in a pool with an email alias', async () => {
    const { poolId } = await createPool(h, { AliasAttributes: ['email'] });
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'a@b.com', MessageAction: 'SUPPRESS' }),
      ),
    );
    expect(error.message).toBe(
      'Username cannot be of email format, since user pool is configured for email alias.',
    );
  });

  it('refuses a verified email alias another user holds with AliasExistsException', async () => {
    const { poolId } = await createPool(h, { AliasAttributes: ['email'] });
    const email = [attr('email', 'same@example.com'), attr('email_verified', 'true')];
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'first',
        UserAttributes: email,
        MessageAction: 'SUPPRESS',
      }),
    );
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'second',
          UserAttributes: email,
          MessageAction: 'SUPPRESS',
        }),
      ),
    );
    expect(error.name).toBe('AliasExistsException');
  });

  it('moves the alias with ForceAliasCreation, leaving the previous owner unverified', async () => {
    const { poolId } = await createPool(h, { AliasAttributes: ['email'] });
    const email = [attr('email', 'moved@example.com'), attr('email_verified', 'true')];
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'old',
        UserAttributes: email,
        MessageAction: 'SUPPRESS',
      }),
    );
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'new',
        UserAttributes: email,
        MessageAction: 'SUPPRESS',
        ForceAliasCreation: true,
      }),
    );
    const old = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'old' }));
    const byAlias = await h.cognito.send(
      new AdminGetUserCommand({ UserPoolId: poolId, Username: 'moved@example.com' }),
    );
    expect(old.UserAttributes).toContainEqual(attr('email_verified', 'false'));
    expect(byAlias.Username).toBe('new');
  });

  it('stores the email as the attribute and the sub as username in an email-as-username pool', async () => {
    const { poolId } = await createPool(h, { UsernameAttributes: ['email'] });
    const { User } = await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'e@example.com',
        MessageAction: 'SUPPRESS',
      }),
    );
    expect(User!.Username).toBe(User!.Attributes!.find((a) => a.Name === 'sub')!.Value);
    expect(User!.Attributes).toContainEqual(attr('email', 'e@example.com'));
  });
});

describe('username case sensitivity', () => {
  it('finds a user in a case-insensitive pool whatever the case, and keeps the stored case', async () => {
    const { poolId } = await createPool(h, { UsernameConfiguration: { CaseSensitive: false } });
    await createConfirmedUser(h, poolId, 'MixedCase');
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'mixedcase' }));
    expect(user.Username).toBe('MixedCase');
  });

  it('treats differently-cased names as different users in a case-sensitive pool', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'Bob');
    const error = await errorOf(
      h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'bob' })),
    );
    expect(error).toMatchObject({ name: 'UserNotFoundException', message: 'User does not exist.' });
  });

  it('refuses a username differing only in case in a case-insensitive pool', async () => {
    const { poolId } = await createPool(h, { UsernameConfiguration: { CaseSensitive: false } });
    await createConfirmedUser(h, poolId, 'Carol');
    const error = await errorOf(
      h.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'CAROL', MessageAction: 'SUPPRESS' }),
      ),
    );
    expect(error.name).toBe('UsernameExistsException');
  });
});

describe('user administration', () => {
  it('AdminUpdateUserAttributes marks a changed email unverified', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'dave', { email: 'd@example.com', email_verified: 'true' });
    await h.cognito.send(
      new AdminUpdateUserAttributesCommand({
        UserPoolId: poolId,
        Username: 'dave',
        UserAttributes: [attr('email', 'd2@example.com')],
      }),
    );
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'dave' }));
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([attr('email', 'd2@example.com'), attr('email_verified', 'false')]),
    );
  });

  it('AdminUpdateUserAttributes refuses an immutable custom attribute', async () => {
    const { poolId } = await createPool(h, {
      Schema: [{ Name: 'fixed', AttributeDataType: 'String', Mutable: false }],
    });
    await createConfirmedUser(h, poolId, 'erin', { 'custom:fixed': 'a' });
    const error = await errorOf(
      h.cognito.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: poolId,
          Username: 'erin',
          UserAttributes: [attr('custom:fixed', 'b')],
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('AdminSetUserPassword with Permanent false puts the user in FORCE_CHANGE_PASSWORD', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'fay');
    await h.cognito.send(
      new AdminSetUserPasswordCommand({
        UserPoolId: poolId,
        Username: 'fay',
        Password: 'Another1!',
        Permanent: false,
      }),
    );
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'fay' }));
    expect(user.UserStatus).toBe('FORCE_CHANGE_PASSWORD');
  });

  it('AdminSetUserPassword refuses a password that breaks the policy', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'gil');
    const error = await errorOf(
      h.cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: poolId,
          Username: 'gil',
          Password: 'short',
          Permanent: true,
        }),
      ),
    );
    expect(error.name).toBe('InvalidPasswordException');
  });

  it('a disabled user cannot sign in', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'hal');
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'hal' }));
    const error = await errorOf(
      h.cognito.send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'hal', PASSWORD },
        }),
      ),
    );
    expect(error).toMatchObject({ name: 'NotAuthorizedException', message: 'User is disabled.' });
  });

  it('AdminDeleteUser removes the user', async () => {
    const { poolId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'ivy');
    await h.cognito.send(new AdminDeleteUserCommand({ UserPoolId: poolId, Username: 'ivy' }));
    const error = await errorOf(
      h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'ivy' })),
    );
    expect(error.name).toBe('UserNotFoundException');
  });
});
