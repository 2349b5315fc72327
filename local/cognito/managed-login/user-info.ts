import { CognitoError } from '../errors';
import { TokenService } from '../tokens';
import { json, type Reply } from './reply';
import type { OpContext } from '../context';
import type { PoolRecord } from '../types';

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
