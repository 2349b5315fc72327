import { issueTokens } from '../issue';
import { cookie, issueAuthorizationCode, SESSION_COOKIE } from './codes';
import { checkAuthorizeRequest, oauthSettings } from './authorize-request';
import { domainOf, managedLoginState } from './state';
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
