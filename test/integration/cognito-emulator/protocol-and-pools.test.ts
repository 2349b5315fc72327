import { createPublicKey, verify } from 'node:crypto';
import {
  AdminInitiateAuthCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
  UpdateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createConfirmedUser, createPool, errorOf, PASSWORD, useHarness } from './helpers';

const h = useHarness();

describe('AWS JSON 1.1 protocol', () => {
  it('answers an unknown operation with an error naming it', async () => {
    const res = await fetch(h.emulator.endpoint, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AWSCognitoIdentityProviderService.FrobnicatePool',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    const body = (await res.json()) as { __type: string; message: string };
    expect(res.status).toBe(400);
    expect(body.__type).toBe('UnknownOperationException');
    expect(body.message).toContain('FrobnicatePool');
  });

  it('returns errors as HTTP 400 with __type and message, which the SDK maps to exception classes', async () => {
    const error = await errorOf(
      h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: 'eu-west-1_missing' })),
    );
    expect(error).toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'User pool eu-west-1_missing does not exist.',
    });
  });

  it('serves the pool JWKS at /<poolId>/.well-known/jwks.json and the tokens verify against it', async () => {
    const { poolId, clientId } = await createPool(h);
    await createConfirmedUser(h, poolId, 'jwks-user');
    const auth = await h.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: poolId,
        ClientId: clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'jwks-user', PASSWORD },
      }),
    );
    const jwks = (await (await fetch(`${h.emulator.endpoint}/${poolId}/.well-known/jwks.json`)).json()) as {
      keys: Record<string, string>[];
    };
    const [header, body, signature] = auth.AuthenticationResult!.IdToken!.split('.') as [
      string,
      string,
      string,
    ];
    const kid = (JSON.parse(Buffer.from(header, 'base64url').toString()) as { kid: string }).kid;
    const jwk = jwks.keys.find((k) => k.kid === kid)!;
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    expect(jwk).toMatchObject({ alg: 'RS256', kty: 'RSA', use: 'sig' });
    expect(verify('sha256', Buffer.from(`${header}.${body}`), key, Buffer.from(signature, 'base64url'))).toBe(
      true,
    );
  });

  it('names the pool after the caller region', async () => {
    const { poolId } = await createPool(h);
    expect(poolId).toMatch(/^eu-west-1_[A-Za-z0-9]{9}$/);
  });
});

describe('user pools and app clients', () => {
  it('DescribeUserPool lists custom attributes with the custom: prefix and counts users', async () => {
    const { poolId } = await createPool(h, {
      Schema: [{ Name: 'legacy_sub', AttributeDataType: 'String', Mutable: true }],
    });
    await createConfirmedUser(h, poolId, 'counted');
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(UserPool!.SchemaAttributes!.map((a) => a.Name)).toContain('custom:legacy_sub');
    expect(UserPool!.EstimatedNumberOfUsers).toBe(1);
  });

  it('refuses AliasAttributes together with UsernameAttributes', async () => {
    const error = await errorOf(
      h.cognito.send(
        new CreateUserPoolCommand({
          PoolName: 'both',
          AliasAttributes: ['email'],
          UsernameAttributes: ['email'],
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('UpdateUserPool resets settings the request omits to their defaults', async () => {
    const { poolId } = await createPool(h, {
      MfaConfiguration: 'OPTIONAL',
      LambdaConfig: { PreSignUp: 'arn:aws:lambda:eu-west-1:1:function:x' },
    });
    await h.cognito.send(
      new UpdateUserPoolCommand({ UserPoolId: poolId, AutoVerifiedAttributes: ['email'] }),
    );
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(UserPool!.MfaConfiguration).toBe('OFF');
    expect(UserPool!.LambdaConfig).toEqual({});
    expect(UserPool!.AutoVerifiedAttributes).toEqual(['email']);
  });

  it('keeps UsernameConfiguration.CaseSensitive as created', async () => {
    const { poolId } = await createPool(h, { UsernameConfiguration: { CaseSensitive: false } });
    const { UserPool } = await h.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    expect(UserPool!.UsernameConfiguration).toEqual({ CaseSensitive: false });
  });

  it('refuses to delete a pool with deletion protection active', async () => {
    const { poolId } = await createPool(h, { DeletionProtection: 'ACTIVE' });
    const error = await errorOf(h.cognito.send(new DeleteUserPoolCommand({ UserPoolId: poolId })));
    expect(error.name).toBe('InvalidParameterException');
  });

  it('generates a client secret when asked and describes the client with its settings', async () => {
    const { poolId } = await createPool(h);
    const created = await h.cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'secret',
        GenerateSecret: true,
        ReadAttributes: ['email'],
      }),
    );
    const { UserPoolClient } = await h.cognito.send(
      new DescribeUserPoolClientCommand({ UserPoolId: poolId, ClientId: created.UserPoolClient!.ClientId! }),
    );
    expect(UserPoolClient!.ClientSecret).toHaveLength(51);
    expect(UserPoolClient!.ReadAttributes).toEqual(['email']);
    expect(UserPoolClient!.EnableTokenRevocation).toBe(true);
    expect(UserPoolClient!.PreventUserExistenceErrors).toBe('LEGACY');
  });

  it('refuses a client mixing legacy and ALLOW_ auth flows', async () => {
    const { poolId } = await createPool(h);
    const error = await errorOf(
      h.cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'mixed',
          ExplicitAuthFlows: ['ADMIN_NO_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH'],
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});
