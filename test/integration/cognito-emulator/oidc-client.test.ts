import { CreateUserPoolDomainCommand } from '@aws-sdk/client-cognito-identity-provider';
import * as oidc from 'openid-client';
import { createConfirmedUser, createPool, PASSWORD, useHarness } from './helpers';
import { formAction, FormBrowser } from '../../support/managed-login';

// A real relying-party library (openid-client, over oauth4webapi) runs the authorization code
// flow with PKCE against the emulator as it would against a Cognito domain: discovery, the
// authorize URL, the token endpoint (code_verifier, state and ID token checks), userInfo and a
// refresh. https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html

const CALLBACK = 'http://localhost:3000/callback';
const h = useHarness();
let domains = 0;

async function discover() {
  const { poolId, clientId } = await createPool(
    h,
    {},
    {
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      CallbackURLs: [CALLBACK],
      SupportedIdentityProviders: ['COGNITO'],
    },
  );
  await h.cognito.send(
    new CreateUserPoolDomainCommand({ UserPoolId: poolId, Domain: `oidc-client-${++domains}` }),
  );
  await createConfirmedUser(h, poolId, 'alice', { email: 'alice@example.com', email_verified: 'true' });
  // The emulator speaks plain HTTP on 127.0.0.1; a Cognito domain is HTTPS.
  const config = await oidc.discovery(
    new URL(`${h.emulator.endpoint}/${poolId}`),
    clientId,
    undefined,
    oidc.None(),
    {
      execute: [oidc.allowInsecureRequests],
    },
  );
  return { poolId, clientId, config };
}

describe('openid-client against managed login', () => {
  it('signs in with the authorization code flow and PKCE, reads userInfo and refreshes', async () => {
    const { poolId, config } = await discover();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const authorizeUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    const browser = new FormBrowser(h.emulator.endpoint);
    const login = await browser.follow(authorizeUrl.href);
    const callback = await browser.post(formAction(login.body), { username: 'alice', password: PASSWORD });

    const tokens = await oidc.authorizationCodeGrant(config, new URL(String(callback.location)), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);

    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${h.emulator.endpoint}/oauth2/authorize`);
    expect(claims).toMatchObject({ iss: `${h.emulator.endpoint}/${poolId}`, 'cognito:username': 'alice' });
    expect(info).toMatchObject({ sub: claims.sub, email: 'alice@example.com', username: 'alice' });
    expect(refreshed.access_token).not.toBe(tokens.access_token);
  });

  it('refuses a code with a PKCE verifier other than the one behind the challenge', async () => {
    const { config } = await discover();
    const state = oidc.randomState();
    const authorizeUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK,
      scope: 'openid',
      code_challenge: await oidc.calculatePKCECodeChallenge(oidc.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
      state,
    });
    const browser = new FormBrowser(h.emulator.endpoint);
    const login = await browser.follow(authorizeUrl.href);
    const callback = await browser.post(formAction(login.body), { username: 'alice', password: PASSWORD });

    const exchange = oidc.authorizationCodeGrant(config, new URL(String(callback.location)), {
      pkceCodeVerifier: oidc.randomPKCECodeVerifier(),
      expectedState: state,
    });

    await expect(exchange).rejects.toMatchObject({ error: 'invalid_grant' });
  });
});
