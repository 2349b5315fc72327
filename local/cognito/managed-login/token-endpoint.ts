import { timingSafeEqual } from 'node:crypto';
import { CognitoError } from '../errors';
import { issueTokens } from '../issue';
import { oauthTokens } from './codes';
import { oauthSettings } from './authorize-request';
import { domainOf, managedLoginState, s256, validVerifier } from './state';
import { json, type Reply } from './reply';
import type { OpContext } from '../context';
import type { ClientRecord, PoolRecord } from '../types';

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
