import { managedLoginState, opaqueToken } from './state';
import { redirect, type Reply } from './reply';
import type { AuthorizeRequest } from './authorize-request';
import type { OpContext } from '../context';
import type { AuthenticationResult } from '../issue';
import type { PoolRecord } from '../types';

// Cognito's authorization codes are good for five minutes and one redemption.
const CODE_MS = 5 * 60_000;
// A managed login session (the browser cookie) lasts an hour.
const SESSION_MS = 60 * 60_000;

export const SESSION_COOKIE = 'cognito-local-session';

/** A cookie pair from the request's Cookie header. */
export function cookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/**
 * After a sign-in on the form (or with a live session cookie): remembers the tokens behind a
 * one-time code and redirects to the callback URL with `code` and `state`.
 */
export function issueAuthorizationCode(
  ctx: OpContext,
  req: AuthorizeRequest,
  tokens: AuthenticationResult,
): Reply {
  const state = managedLoginState(ctx.store);
  // Expired codes and sessions go as new ones come, so a long rehearsal does not accumulate them.
  for (const [key, entry] of state.codes) if (entry.expires <= ctx.now()) state.codes.delete(key);
  for (const [key, entry] of state.sessions) if (entry.expires <= ctx.now()) state.sessions.delete(key);
  const { claims } = ctx.tokens.verifyAccessToken(tokens.AccessToken, ctx.store.pools);
  const userKey = ctx.store.keyOf(req.pool, claims.username);
  const code = opaqueToken();
  state.codes.set(code, {
    poolId: req.pool.id,
    clientId: req.client.id,
    userKey,
    redirectUri: req.redirectUri,
    scopes: req.scopes,
    codeChallenge: req.codeChallenge,
    nonce: req.nonce,
    tokens,
    expires: ctx.now() + CODE_MS,
  });
  const session = opaqueToken();
  state.sessions.set(session, {
    poolId: req.pool.id,
    userKey,
    created: ctx.now(),
    expires: ctx.now() + SESSION_MS,
  });
  const location = new URL(req.redirectUri);
  location.searchParams.set('code', code);
  if (req.state !== undefined) location.searchParams.set('state', req.state);
  return redirect(location.toString(), [
    `${SESSION_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_MS / 1000}`,
  ]);
}

const decode = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * The tokens InitiateAuth issued, with what the OAuth grant adds: the access token's `scope`
 * holds the granted scopes (InitiateAuth's holds aws.cognito.signin.user.admin) and the ID
 * token the authorize request's `nonce`. Re-signed with the pool's key.
 */
export function oauthTokens(
  ctx: OpContext,
  pool: PoolRecord,
  tokens: AuthenticationResult,
  scopes: string[],
  nonce?: string,
): {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  token_type: 'Bearer';
  expires_in: number;
} {
  const access = { ...decode(tokens.AccessToken), scope: scopes.join(' ') };
  const id = { ...decode(tokens.IdToken), ...(nonce !== undefined ? { nonce } : {}) };
  return {
    access_token: ctx.tokens.sign(pool.id, access),
    // Cognito issues an ID token only to a grant with the openid scope.
    ...(scopes.includes('openid') ? { id_token: ctx.tokens.sign(pool.id, id) } : {}),
    ...(tokens.RefreshToken ? { refresh_token: tokens.RefreshToken } : {}),
    token_type: 'Bearer',
    expires_in: tokens.ExpiresIn,
  };
}
