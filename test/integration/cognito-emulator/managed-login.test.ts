import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  CreateUserPoolDomainCommand,
  DeleteUserPoolDomainCommand,
  DescribeUserPoolDomainCommand,
  InitiateAuthCommand,
  type CreateUserPoolClientCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { totpCode } from '#local/cognito/totp';
import { claimsOf, createConfirmedUser, createPool, PASSWORD, useHarness } from './helpers';
import { formAction, FormBrowser, hiddenField, pageError, pkce } from '../../support/managed-login';

// Managed login as the Cognito developer guide documents its endpoints:
// https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/login-endpoint.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html
// https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html

const TRIGGER = 'arn:aws:lambda:eu-west-1:000000000000:function:hosted';
const CALLBACK = 'http://localhost:3000/callback';
const SIGNED_OUT = 'http://localhost:3000/signed-out';
const TOTP_SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
let events: any[] = [];
const h = useHarness({
  triggerTimeoutMs: 200,
  functions: {
    [TRIGGER]: async (event) => {
      events.push(structuredClone(event));
      if (event.triggerSource.startsWith('UserMigration_')) {
        if (event.userName !== 'legacy' && event.userName !== 'legacy-reset') throw new Error('Bad password');
        if (event.triggerSource === 'UserMigration_Authentication' && event.request.password !== PASSWORD)
          throw new Error('Bad password');
        event.response.userAttributes = { email: `${event.userName}@example.com`, email_verified: 'true' };
        event.response.messageAction = 'SUPPRESS';
      }
      if (event.triggerSource.startsWith('TokenGeneration_'))
        event.response.claimsOverrideDetails = { claimsToAddOrOverride: { tenant: 'acme' } };
      return event;
    },
  },
});

const OAUTH_CLIENT: Partial<CreateUserPoolClientCommandInput> = {
  AllowedOAuthFlowsUserPoolClient: true,
  AllowedOAuthFlows: ['code'],
  AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
  CallbackURLs: [CALLBACK],
  LogoutURLs: [SIGNED_OUT],
  SupportedIdentityProviders: ['COGNITO'],
};

let poolId: string;
let clientId: string;
let browser: FormBrowser;

async function oauthPool(domain: string, client: Record<string, unknown> = {}) {
  const created = await createPool(
    h,
    {
      MfaConfiguration: 'OPTIONAL',
      LambdaConfig: { UserMigration: TRIGGER, PreTokenGeneration: TRIGGER, PostAuthentication: TRIGGER },
    },
    { ...OAUTH_CLIENT, ...client },
  );
  await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: created.poolId, Domain: domain }));
  return created;
}

let domains = 0;
beforeEach(async () => {
  events = [];
  ({ poolId, clientId } = await oauthPool(`app-${++domains}`));
  browser = new FormBrowser(h.emulator.endpoint);
});

function authorizeUrl(params: Record<string, string> = {}): string {
  return `/oauth2/authorize?${new URLSearchParams({
    response_type: 'code',
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope: 'openid email profile',
    state: 'st-1',
    ...params,
  })}`;
}

/** Opens the authorize URL and submits the password form; returns the page or redirect after it. */
async function signIn(username: string, password = PASSWORD, params: Record<string, string> = {}) {
  const login = await browser.follow(authorizeUrl(params));
  return browser.post(formAction(login.body), { username, password });
}

const codeOf = (location: string | undefined) => new URL(String(location)).searchParams.get('code') ?? '';

async function exchange(form: Record<string, string>, headers: Record<string, string> = {}) {
  const response = await fetch(`${h.emulator.endpoint}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  });
  return { status: response.status, body: (await response.json()) as Record<string, string> };
}

describe('CreateUserPoolDomain', () => {
  it('gives the pool a domain that DescribeUserPoolDomain reports and DeleteUserPoolDomain removes', async () => {
    const { poolId: id } = await createPool(h);
    await h.cognito.send(new CreateUserPoolDomainCommand({ UserPoolId: id, Domain: 'described' }));
    const described = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: 'described' }));
    await h.cognito.send(new DeleteUserPoolDomainCommand({ UserPoolId: id, Domain: 'described' }));
    const after = await h.cognito.send(new DescribeUserPoolDomainCommand({ Domain: 'described' }));

    expect(described.DomainDescription).toMatchObject({
      UserPoolId: id,
      Domain: 'described',
      Status: 'ACTIVE',
    });
    expect(after.DomainDescription).toEqual({});
  });
});

describe('GET /oauth2/authorize', () => {
  it('redirects to /login with the same parameters', async () => {
    const response = await browser.get(authorizeUrl());

    expect(response.status).toBe(302);
    expect(response.location).toBe(`/login?${authorizeUrl().split('?')[1]}`);
  });

  it('shows redirect_mismatch and never redirects to a redirect_uri outside CallbackURLs', async () => {
    const response = await browser.get(authorizeUrl({ redirect_uri: 'https://evil.example/cb' }));

    expect(response.status).toBe(400);
    expect(response.location).toBeUndefined();
    expect(response.body).toContain('redirect_mismatch');
  });

  it.each([
    [{ scope: 'openid admin:all' }, 'invalid_scope'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
    [{ code_challenge: 'abc', code_challenge_method: 'plain' }, 'invalid_request'],
  ])('sends %j back to the callback as error %s with the state', async (params, error) => {
    const response = await browser.get(authorizeUrl(params));

    const location = new URL(String(response.location));
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('error')).toBe(error);
    expect(location.searchParams.get('state')).toBe('st-1');
  });

  it('answers unauthorized_client for a client without OAuth flows', async () => {
    ({ clientId } = await oauthPool('no-flows', { AllowedOAuthFlowsUserPoolClient: false }));

    const response = await browser.get(authorizeUrl());

    expect(new URL(String(response.location)).searchParams.get('error')).toBe('unauthorized_client');
  });

  it('has no managed login for a pool without a domain', async () => {
    ({ clientId } = await createPool(h, {}, OAUTH_CLIENT));

    const response = await browser.get(authorizeUrl());

    expect(response.status).toBe(404);
  });
});

describe('POST /login', () => {
  it('shows the same error for a wrong password and for an unknown user', async () => {
    await createConfirmedUser(h, poolId, 'alice');

    const wrongPassword = await signIn('alice', 'Wrong-passw0rd');
    const unknownUser = await signIn('nobody', PASSWORD);

    expect(pageError(wrongPassword.body)).toBe('Incorrect username or password.');
    expect(pageError(unknownUser.body)).toBe(pageError(wrongPassword.body));
    expect(wrongPassword.status).toBe(unknownUser.status);
  });

  it('shows what was typed back escaped, never as markup', async () => {
    const response = await signIn('<script>alert(1)</script>', 'Wrong-passw0rd');

    expect(response.body).not.toContain('<script>alert(1)</script>');
    expect(response.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;"');
  });

  it('redirects to the callback with a code and the state after the password', async () => {
    await createConfirmedUser(h, poolId, 'alice');

    const response = await signIn('alice');

    const location = new URL(String(response.location));
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
    expect(location.searchParams.get('state')).toBe('st-1');
  });

  it('runs UserMigration_Authentication for a user the pool does not know, creating them with that password', async () => {
    const response = await signIn('legacy');
    const triggerSources = events.map((e) => e.triggerSource);
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'legacy' }));
    const apiSignIn = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'legacy', PASSWORD },
      }),
    );

    expect(codeOf(response.location)).not.toBe('');
    expect(triggerSources).toEqual([
      'UserMigration_Authentication',
      'TokenGeneration_HostedAuth',
      'PostAuthentication_Authentication',
    ]);
    expect(user.UserStatus).toBe('CONFIRMED');
    expect(apiSignIn.AuthenticationResult?.AccessToken).toBeDefined();
  });

  it('asks a TOTP user for a code and gives no code for the password alone', async () => {
    const user = h.emulator.store.createUserDirect(poolId, { username: 'totp-user', password: PASSWORD });
    user.mfa = { sms: false, totp: true, totpSecret: TOTP_SECRET, preferred: 'SOFTWARE_TOKEN_MFA' };

    const passwordStep = await signIn('totp-user');
    const wrongCode = await browser.post(formAction(passwordStep.body), {
      session: hiddenField(passwordStep.body, 'session'),
      username: 'totp-user',
      challenge: 'SOFTWARE_TOKEN_MFA',
      code: '000000' === totpCode(TOTP_SECRET, Date.now()) ? '111111' : '000000',
    });
    const rightCode = await browser.post(formAction(wrongCode.body), {
      session: hiddenField(wrongCode.body, 'session'),
      username: 'totp-user',
      challenge: 'SOFTWARE_TOKEN_MFA',
      code: totpCode(TOTP_SECRET, Date.now()),
    });

    expect(passwordStep.status).toBe(200);
    expect(passwordStep.location).toBeUndefined();
    expect(passwordStep.body).toContain('authenticator app');
    expect(pageError(wrongCode.body)).toBe('Invalid code received for user');
    expect(codeOf(rightCode.location)).not.toBe('');
  });

  it('sends an SMS MFA user a code and signs them in with it, for a client with a secret too', async () => {
    ({ poolId, clientId } = await oauthPool('sms-secret', { GenerateSecret: true }));
    const user = h.emulator.store.createUserDirect(poolId, {
      username: 'sms-user',
      password: PASSWORD,
      attributes: { phone_number: '+15555550100', phone_number_verified: 'true' },
    });
    user.mfa = { sms: true, totp: false, preferred: 'SMS_MFA' };

    const passwordStep = await signIn('sms-user');
    const smsCode = h.emulator.outbox.latestCode(poolId, 'sms-user', 'mfa')!;
    const signedIn = await browser.post(formAction(passwordStep.body), {
      session: hiddenField(passwordStep.body, 'session'),
      username: 'sms-user',
      challenge: 'SMS_MFA',
      code: smsCode,
    });

    expect(passwordStep.body).toContain('Enter the code we sent');
    expect(passwordStep.body).toMatch(/We sent a code to \+\*+0100/);
    expect(codeOf(signedIn.location)).not.toBe('');
  });

  it('sends a user whose password was reset by an admin to the reset form with a code', async () => {
    await createConfirmedUser(h, poolId, 'reset-me', { email: 'reset@example.com', email_verified: 'true' });
    await h.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'reset-me' }));

    const response = await signIn('reset-me');

    expect(response.location).toBeUndefined();
    expect(response.body).toContain('Reset your password');
    expect(h.emulator.outbox.latestCode(poolId, 'reset-me', 'reset')).toMatch(/^\d{6}$/);
  });

  it('asks a user on a temporary password for a new one, then signs them in with it', async () => {
    await h.cognito.send(
      new AdminCreateUserCommand({
        UserPoolId: poolId,
        Username: 'newbie',
        TemporaryPassword: 'Temp-passw0rd',
        MessageAction: 'SUPPRESS',
      }),
    );

    const passwordStep = await signIn('newbie', 'Temp-passw0rd');
    const changed = await browser.post(formAction(passwordStep.body), {
      session: hiddenField(passwordStep.body, 'session'),
      username: 'newbie',
      challenge: 'NEW_PASSWORD_REQUIRED',
      newPassword: 'Brand-new-passw0rd',
      confirmPassword: 'Brand-new-passw0rd',
    });
    const user = await h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'newbie' }));

    expect(passwordStep.body).toContain('Change password');
    expect(codeOf(changed.location)).not.toBe('');
    expect(user.UserStatus).toBe('CONFIRMED');
  });

  it('resets a legacy user through the forgot-password form (UserMigration_ForgotPassword), then signs them in', async () => {
    const login = await browser.follow(authorizeUrl());
    const forgot = await browser.get(
      /href="([^"]*forgotPassword[^"]*)"/.exec(login.body)![1]!.replace(/&amp;/g, '&'),
    );
    const sent = await browser.post(formAction(forgot.body), { username: 'legacy-reset' });
    const code = h.emulator.outbox.latestCode(poolId, 'legacy-reset', 'reset')!;
    const reset = await browser.post(formAction(sent.body), {
      username: 'legacy-reset',
      code,
      password: 'Reset-passw0rd',
      confirmPassword: 'Reset-passw0rd',
    });
    const signedIn = await browser.post(formAction(reset.body), {
      username: 'legacy-reset',
      password: 'Reset-passw0rd',
    });

    expect(events[0].triggerSource).toBe('UserMigration_ForgotPassword');
    expect(reset.body).toContain('Your password has been reset');
    expect(codeOf(signedIn.location)).not.toBe('');
  });
});

describe('POST /oauth2/token', () => {
  async function codeWithPkce(params: Record<string, string> = {}) {
    await createConfirmedUser(h, poolId, 'alice', { email: 'alice@example.com', email_verified: 'true' });
    const { verifier, challenge } = pkce();
    const response = await signIn('alice', PASSWORD, {
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...params,
    });
    return { code: codeOf(response.location), verifier };
  }

  const redeem = (code: string, verifier: string, extra: Record<string, string> = {}) =>
    exchange({
      grant_type: 'authorization_code',
      client_id: clientId,
      code,
      redirect_uri: CALLBACK,
      code_verifier: verifier,
      ...extra,
    });

  it('exchanges the code and code_verifier for the tokens InitiateAuth issues, with the granted scopes and nonce', async () => {
    const { code, verifier } = await codeWithPkce({ nonce: 'n-0S6' });

    const { status, body } = await redeem(code, verifier);

    expect(status).toBe(200);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
    expect(claimsOf(body.access_token)).toMatchObject({
      scope: 'openid email profile',
      token_use: 'access',
      client_id: clientId,
    });
    expect(claimsOf(body.id_token)).toMatchObject({
      aud: clientId,
      nonce: 'n-0S6',
      'cognito:username': 'alice',
      email: 'alice@example.com',
      tenant: 'acme',
    });
    expect(body.refresh_token).toBeDefined();
  });

  it.each([
    ['a wrong code_verifier', { code_verifier: 'x'.repeat(43) }],
    ['another redirect_uri', { redirect_uri: 'http://localhost:3000/other' }],
  ])('refuses %s with invalid_grant', async (_case, extra) => {
    const { code, verifier } = await codeWithPkce();

    const { status, body } = await redeem(code, verifier, extra);

    expect(status).toBe(400);
    expect(body.error).toBe('invalid_grant');
  });

  it('redeems a code once only', async () => {
    const { code, verifier } = await codeWithPkce();

    await redeem(code, verifier);
    const second = await redeem(code, verifier);

    expect(second.body.error).toBe('invalid_grant');
  });

  it('refreshes tokens with the refresh_token grant, keeping the scopes', async () => {
    const { code, verifier } = await codeWithPkce();
    const { body: first } = await redeem(code, verifier);

    const { status, body } = await exchange({
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: first.refresh_token!,
    });

    expect(status).toBe(200);
    expect(claimsOf(body.access_token).scope).toBe('openid email profile');
    expect(body.refresh_token).toBeUndefined();
    expect(events.at(-1).triggerSource).toBe('TokenGeneration_RefreshTokens');
  });

  it('requires the client secret of a confidential client (client_secret_basic)', async () => {
    const secret = await oauthPool('confidential', { GenerateSecret: true });
    ({ poolId, clientId } = secret);
    const { code, verifier } = await codeWithPkce();

    const without = await redeem(code, verifier);
    const basic = Buffer.from(`${clientId}:${secret.clientSecret}`).toString('base64');
    const authorised = await exchange(
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
      { authorization: `Basic ${basic}` },
    );

    expect(without.body.error).toBe('invalid_client');
    expect(authorised.status).toBe(200);
  });
});

describe('/oauth2/userInfo', () => {
  it('returns the attributes the access token scopes allow', async () => {
    await createConfirmedUser(h, poolId, 'alice', { email: 'alice@example.com', email_verified: 'true' });
    const response = await signIn('alice', PASSWORD, { scope: 'openid email' });
    const { body: tokens } = await exchange({
      grant_type: 'authorization_code',
      client_id: clientId,
      code: codeOf(response.location),
      redirect_uri: CALLBACK,
    });

    const info = await fetch(`${h.emulator.endpoint}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });

    expect(info.status).toBe(200);
    expect(await info.json()).toEqual({
      sub: expect.any(String),
      email: 'alice@example.com',
      email_verified: 'true',
      username: 'alice',
    });
  });

  it('refuses an InitiateAuth access token, which has no openid scope', async () => {
    await createConfirmedUser(h, poolId, 'alice');
    const { AuthenticationResult } = await h.cognito.send(
      new InitiateAuthCommand({
        ClientId: clientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'alice', PASSWORD },
      }),
    );

    const info = await fetch(`${h.emulator.endpoint}/oauth2/userInfo`, {
      headers: { authorization: `Bearer ${AuthenticationResult!.AccessToken}` },
    });

    expect(info.status).toBe(401);
    expect(((await info.json()) as { error: string }).error).toBe('invalid_token');
  });
});

describe('GET /logout and the managed login session', () => {
  it('signs a browser with a live session in without the form, and asks again after /logout', async () => {
    await createConfirmedUser(h, poolId, 'alice');
    await signIn('alice');

    const silent = await browser.get(authorizeUrl());
    const loggedOut = await browser.get(
      `/logout?client_id=${clientId}&logout_uri=${encodeURIComponent(SIGNED_OUT)}`,
    );
    const afterLogout = await browser.get(authorizeUrl());

    expect(codeOf(silent.location)).not.toBe('');
    expect(loggedOut.location).toBe(SIGNED_OUT);
    expect(afterLogout.location).toMatch(/^\/login\?/);
  });

  it('refuses a logout_uri that is not one of LogoutURLs', async () => {
    const response = await browser.get(`/logout?client_id=${clientId}&logout_uri=https://evil.example/`);

    expect(response.status).toBe(400);
    expect(response.location).toBeUndefined();
  });
});

describe('OIDC discovery', () => {
  it('publishes the issuer, JWKS and managed login endpoints of a pool with a domain', async () => {
    const response = await fetch(`${h.emulator.endpoint}/${poolId}/.well-known/openid-configuration`);
    const document = (await response.json()) as Record<string, unknown>;

    expect(document).toMatchObject({
      issuer: `${h.emulator.endpoint}/${poolId}`,
      jwks_uri: `${h.emulator.endpoint}/${poolId}/.well-known/jwks.json`,
      authorization_endpoint: `${h.emulator.endpoint}/oauth2/authorize`,
      token_endpoint: `${h.emulator.endpoint}/oauth2/token`,
      userinfo_endpoint: `${h.emulator.endpoint}/oauth2/userInfo`,
      code_challenge_methods_supported: ['S256'],
    });
  });
});
