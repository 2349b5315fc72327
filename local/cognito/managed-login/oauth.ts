import { timingSafeEqual } from 'node:crypto';
import { CognitoError } from '../errors';
import { issueTokens } from '../issue';
import { TokenService } from '../tokens';
import { cookie, issueAuthorizationCode, oauthTokens, SESSION_COOKIE } from './codes';
import { checkAuthorizeRequest, oauthSettings } from './authorize-request';
import { domainOf, managedLoginState, s256, validVerifier } from './state';
import { errorPage } from './pages';
import { html, json, redirect, type Reply } from './reply';
import type { OpContext } from '../context';
import type { ClientRecord, PoolRecord, UserRecord } from '../types';

/**
 * GET /oauth2/authorize: a browser with a live managed login session for the pool gets a code
 * at once; any other goes to /login with the same parameters, as Cognito redirects
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/authorization-endpoint.html).
 */
export async function authorize(ctx: OpContext, params: URLSearchParams, cookies?: string): Promise<Reply> {
  const req = checkAuthorizeRequest(ctx, params);
  const state = managedLoginState(ctx.store);
  const sessionId = cookie(cookies, SESSION_COOKIE);
  const session = sessionId ? state.sessions.get(sessionId) : undefined;
  const user = session && session.poolId === req.pool.id ? req.pool.users.get(session.userKey) : undefined;
  if (session && user && session.expires > ctx.now() && usable(user, session.created)) {
    const { AuthenticationResult } = await issueTokens(
      ctx,
      req.pool,
      req.client,
      user,
      'TokenGeneration_HostedAuth',
    );
    return issueAuthorizationCode(ctx, req, AuthenticationResult);
  }
  return redirect(`/login?${req.query}`);
}

const usable = (user: UserRecord, issuedAt: number): boolean =>
  user.enabled && user.status === 'CONFIRMED' && issuedAt >= user.tokensValidAfter;

const oauthError = (error: string, description: string, status = 400): Reply =>
  json({ error, error_description: description }, status);

/** Client authentication at the token endpoint: client_secret_basic, client_secret_post or none. */
function authenticateClient(
  ctx: OpContext,
  form: URLSearchParams,
  authorization: string | undefined,
): { pool: PoolRecord; client: ClientRecord } | Reply {
  let clientId = form.get('client_id') ?? undefined;
  let secret = form.get('client_secret') ?? undefined;
  const basic = /^Basic\s+(.+)$/i.exec(authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // RFC 6749 section 2.3.1: both halves are form-urlencoded before joining.
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    clientId = unform(decoded.slice(0, colon));
    secret = unform(decoded.slice(colon + 1));
  }
  for (const pool of ctx.store.pools.values()) {
    const client = clientId ? pool.clients.get(clientId) : undefined;
    if (!client) continue;
    if (!domainOf(managedLoginState(ctx.store), pool.id)) break;
    if (client.secret) {
      const given = Buffer.from(secret ?? '');
      const expected = Buffer.from(client.secret);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return oauthError('invalid_client', 'Client authentication failed.');
    }
    return { pool, client };
  }
  return oauthError('invalid_client', 'Client authentication failed.');
}

/**
 * POST /oauth2/token: the authorization_code grant (one use, five minutes, the same
 * redirect_uri, the PKCE code_verifier when the code has a challenge) and the refresh_token
 * grant (https://docs.aws.amazon.com/cognito/latest/developerguide/token-endpoint.html).
 */
export async function token(ctx: OpContext, form: URLSearchParams, authorization?: string): Promise<Reply> {
  const authenticated = authenticateClient(ctx, form, authorization);
  if ('kind' in authenticated) return authenticated;
  const { pool, client } = authenticated;
  const grantType = form.get('grant_type');
  const flows = oauthSettings(client).flows;
  const state = managedLoginState(ctx.store);
  if (grantType === 'authorization_code') {
    if (!flows.includes('code'))
      return oauthError('unauthorized_client', 'Client is not allowed the code grant.');
    const codeValue = form.get('code');
    if (!codeValue) return oauthError('invalid_request', 'code is required.');
    const code = state.codes.get(codeValue);
    state.codes.delete(codeValue);
    if (!code || code.clientId !== client.id || code.expires <= ctx.now())
      return oauthError('invalid_grant', 'The authorization code is invalid, expired or already used.');
    if (form.get('redirect_uri') !== code.redirectUri)
      return oauthError('invalid_grant', 'redirect_uri does not match the authorization request.');
    if (code.codeChallenge !== undefined) {
      const verifier = form.get('code_verifier') ?? '';
      if (!validVerifier(verifier) || s256(verifier) !== code.codeChallenge)
        return oauthError('invalid_grant', 'code_verifier does not match the code_challenge.');
    }
    const user = pool.users.get(code.userKey);
    if (!user || !user.enabled) return oauthError('invalid_grant', 'User does not exist or is disabled.');
    const answer = oauthTokens(ctx, pool, code.tokens, code.scopes, code.nonce);
    if (answer.refresh_token) state.refreshScopes.set(answer.refresh_token, code.scopes);
    return json(answer, 200, { 'cache-control': 'no-store' });
  }
  if (grantType === 'refresh_token') {
    const refreshToken = form.get('refresh_token') ?? '';
    const grant = ctx.tokens.refreshGrants.get(refreshToken);
    if (!grant || grant.clientId !== client.id || grant.poolId !== pool.id)
      return oauthError('invalid_grant', 'Invalid Refresh Token');
    const user = pool.users.get(grant.userKey);
    if (
      !user ||
      !user.enabled ||
      grant.revoked ||
      grant.issuedAt < user.tokensValidAfter ||
      grant.expires <= ctx.now()
    )
      return oauthError('invalid_grant', 'Invalid Refresh Token');
    try {
      const { AuthenticationResult } = await issueTokens(
        ctx,
        pool,
        client,
        user,
        'TokenGeneration_RefreshTokens',
        undefined,
        grant,
      );
      // A refresh token from InitiateAuth refreshes here too, with InitiateAuth's scope.
      const scopes = state.refreshScopes.get(refreshToken);
      const answer = oauthTokens(
        ctx,
        pool,
        AuthenticationResult,
        scopes ?? ['aws.cognito.signin.user.admin'],
      );
      return json(scopes ? answer : { ...answer, id_token: AuthenticationResult.IdToken }, 200, {
        'cache-control': 'no-store',
      });
    } catch (error) {
      if (error instanceof CognitoError) return oauthError('invalid_grant', error.message);
      throw error;
    }
  }
  return oauthError('unsupported_grant_type', `grant_type ${String(grantType)} is not supported.`);
}

const PROFILE = [
  'name',
  'family_name',
  'given_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'updated_at',
];

/**
 * GET|POST /oauth2/userInfo: the attributes the access token's scopes allow — `openid` alone
 * gives every attribute the client may read; `profile`, `email` and `phone` narrow it
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/userinfo-endpoint.html). Access
 * tokens without `openid` (all of InitiateAuth's) are refused.
 */
export function userInfo(ctx: OpContext, authorization: string | undefined): Reply {
  const invalid = (description: string) =>
    json({ error: 'invalid_token', error_description: description }, 401, {
      'www-authenticate': `Bearer error="invalid_token", error_description="${description}"`,
    });
  const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!bearer) return json({ error: 'invalid_request', error_description: 'Access token is missing.' }, 400);
  let pool: PoolRecord;
  let claims: { sub: string; username: string; iat: number; scope?: unknown; client_id: string };
  try {
    ({ pool, claims } = ctx.tokens.verifyAccessToken(bearer[1], ctx.store.pools));
  } catch (error) {
    if (error instanceof CognitoError) return invalid(error.message);
    throw error;
  }
  const scopes = String(claims.scope ?? '').split(' ');
  if (!scopes.includes('openid')) return invalid('Access token does not have the openid scope');
  const user = pool.users.get(ctx.store.keyOf(pool, claims.username));
  if (!user || user.sub !== claims.sub || TokenService.signedOut(user, claims.iat))
    return invalid('Access token has been revoked');
  const client = pool.clients.get(claims.client_id);
  const readable = client?.readAttributes ?? Object.keys(user.attributes);
  const narrowed = scopes.some((s) => s === 'profile' || s === 'email' || s === 'phone');
  const allowed = (name: string) =>
    !narrowed ||
    (scopes.includes('profile') && (PROFILE.includes(name) || name.startsWith('custom:'))) ||
    (scopes.includes('email') && (name === 'email' || name === 'email_verified')) ||
    (scopes.includes('phone') && (name === 'phone_number' || name === 'phone_number_verified'));
  const attributes: Record<string, string> = {};
  for (const name of readable)
    if (user.attributes[name] !== undefined && name !== 'sub' && allowed(name))
      attributes[name] = user.attributes[name]!;
  return json({ sub: user.sub, ...attributes, username: user.username });
}

/**
 * GET /logout: ends the browser's managed login session, then redirects to `logout_uri` (one of
 * the client's LogoutURLs) or, given `redirect_uri` and `response_type`, back to sign-in
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/logout-endpoint.html).
 */
export function logout(ctx: OpContext, params: URLSearchParams, cookies?: string): Reply {
  const clientId = params.get('client_id');
  let client: ClientRecord | undefined;
  for (const pool of ctx.store.pools.values()) client ??= clientId ? pool.clients.get(clientId) : undefined;
  if (!client) return html(errorPage('invalid_request', 'Client does not exist.'), 400);
  const sessionId = cookie(cookies, SESSION_COOKIE);
  const state = managedLoginState(ctx.store);
  if (sessionId && state.sessions.get(sessionId)?.poolId === client.poolId) state.sessions.delete(sessionId);
  const cleared = [`${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0`];
  const logoutUri = params.get('logout_uri');
  if (logoutUri !== null) {
    if (!oauthSettings(client).logoutUrls.includes(logoutUri))
      return html(
        errorPage('redirect_mismatch', "logout_uri is not one of the client's sign-out URLs."),
        400,
      );
    return redirect(logoutUri, cleared);
  }
  if (params.get('redirect_uri') !== null) {
    const req = checkAuthorizeRequest(ctx, params);
    return redirect(`/login?${req.query}`, cleared);
  }
  return html(errorPage('invalid_request', 'logout_uri or redirect_uri is required.'), 400);
}

/** GET /<poolId>/.well-known/openid-configuration, with the managed login endpoints when the pool has a domain. */
export function discovery(ctx: OpContext, pool: PoolRecord, base: string): Reply {
  const issuer = ctx.tokens.issuer(pool.id);
  const hasDomain = !!domainOf(managedLoginState(ctx.store), pool.id);
  return json({
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    ...(hasDomain
      ? {
          authorization_endpoint: `${base}/oauth2/authorize`,
          token_endpoint: `${base}/oauth2/token`,
          userinfo_endpoint: `${base}/oauth2/userInfo`,
          end_session_endpoint: `${base}/logout`,
        }
      : {}),
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    scopes_supported: ['openid', 'email', 'phone', 'profile'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    code_challenge_methods_supported: ['S256'],
  });
}
