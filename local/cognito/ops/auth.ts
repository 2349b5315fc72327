import { codeMismatch, invalidParameter, notAuthorized, unsupportedOperation } from '../errors';
import { checkPolicy, hashPassword } from '../passwords';
import { issueTokens } from '../issue';
import { TokenService } from '../tokens';
import { verifyTotp } from '../totp';
import { applyAttributeUpdate } from './users';
import { checkSecretHash, clientById, requireClient } from './clients';
import {
  challenge,
  dropSession,
  finishSignIn,
  passwordSignIn,
  takeSession,
  type ChallengeName,
} from '../sign-in';
import type { Input, OpContext, Operation } from '../context';
import type { ClientRecord, PoolRecord } from '../types';

const FLOW_PERMISSIONS: Record<string, string[]> = {
  USER_PASSWORD_AUTH: ['ALLOW_USER_PASSWORD_AUTH', 'USER_PASSWORD_AUTH'],
  ADMIN_USER_PASSWORD_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
  ADMIN_NO_SRP_AUTH: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'],
};

function checkFlow(client: ClientRecord, flow: string, admin: boolean): void {
  const supported = admin
    ? ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN']
    : ['USER_PASSWORD_AUTH', 'REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'];
  if (!supported.includes(flow)) throw invalidParameter(`Unsupported or unknown AuthFlow: ${flow}`);
  const flows = client.explicitAuthFlows;
  const legacy = !flows.some((f) => f.startsWith('ALLOW_'));
  const allowed =
    flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN'
      ? legacy || flows.includes('ALLOW_REFRESH_TOKEN_AUTH')
      : FLOW_PERMISSIONS[flow]!.some((f) => flows.includes(f));
  if (!allowed)
    throw invalidParameter(
      flow === 'USER_PASSWORD_AUTH'
        ? 'USER_PASSWORD_AUTH flow not enabled for this client'
        : 'Auth flow not enabled for this client',
    );
}

async function refreshSignIn(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  params: Input,
  meta?: Record<string, string>,
) {
  const grant = ctx.tokens.refreshGrants.get(String(params.REFRESH_TOKEN ?? ''));
  if (!grant || grant.poolId !== pool.id || grant.clientId !== client.id)
    throw notAuthorized('Invalid Refresh Token');
  const user = pool.users.get(grant.userKey);
  if (!user) throw notAuthorized('User does not exist.');
  if (client.secret) {
    // A refresh's SECRET_HASH may be computed over the username or the sub.
    try {
      checkSecretHash(client, user.username, params.SECRET_HASH);
    } catch {
      checkSecretHash(client, user.sub, params.SECRET_HASH);
    }
  }
  if (grant.revoked || grant.issuedAt < user.tokensValidAfter)
    throw notAuthorized('Refresh Token has been revoked');
  if (grant.expires <= ctx.now()) throw notAuthorized('Refresh Token has expired');
  if (!user.enabled) throw notAuthorized('User is disabled.');
  return issueTokens(ctx, pool, client, user, 'TokenGeneration_RefreshTokens', meta, grant);
}

async function initiate(
  ctx: OpContext,
  pool: PoolRecord,
  client: ClientRecord,
  input: Input,
  admin: boolean,
) {
  const flow = String(input.AuthFlow ?? '');
  checkFlow(client, flow, admin);
  const params = (input.AuthParameters ?? {}) as Input;
  if (flow === 'REFRESH_TOKEN_AUTH' || flow === 'REFRESH_TOKEN')
    return refreshSignIn(ctx, pool, client, params, input.ClientMetadata);
  checkSecretHash(client, String(params.USERNAME ?? ''), params.SECRET_HASH);
  return passwordSignIn(ctx, pool, client, params.USERNAME, params.PASSWORD, input.ClientMetadata);
}

const InitiateAuth: Operation = (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  return initiate(ctx, pool, client, input, false);
};

const AdminInitiateAuth: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  return initiate(ctx, pool, requireClient(pool, input.ClientId), input, true);
};

async function respond(ctx: OpContext, pool: PoolRecord, client: ClientRecord, input: Input) {
  const name = String(input.ChallengeName ?? '') as ChallengeName;
  const answers = (input.ChallengeResponses ?? {}) as Record<string, string>;
  const session = takeSession(ctx, input.Session, client.id);
  if (session.poolId !== pool.id) throw notAuthorized('Invalid session for the user, session is expired.');
  const user = pool.users.get(session.userKey);
  if (!user) throw notAuthorized('Invalid session for the user, session is expired.');
  checkSecretHash(client, String(answers.USERNAME ?? user.username), answers.SECRET_HASH);
  if (name !== session.challenge)
    throw invalidParameter(`Invalid challenge name ${name}; expected ${session.challenge}.`);
  const meta = input.ClientMetadata ?? session.clientMetadata;

  if (name === 'NEW_PASSWORD_REQUIRED') {
    checkPolicy(pool.settings.Policies.PasswordPolicy, answers.NEW_PASSWORD);
    const changes = Object.fromEntries(
      Object.entries(answers)
        .filter(([k]) => k.startsWith('userAttributes.'))
        .map(([k, v]) => [k.slice('userAttributes.'.length), v]),
    );
    if (Object.keys(changes).length) applyAttributeUpdate(ctx, pool, user, changes);
    ctx.store.update(pool, user, () => {
      user.password = hashPassword(answers.NEW_PASSWORD!);
      user.status = 'CONFIRMED';
    });
    dropSession(ctx, input.Session);
    return finishSignIn(ctx, pool, client, user, meta, 'TokenGeneration_NewPasswordChallenge');
  }
  if (name === 'SMS_MFA') {
    if (answers.SMS_MFA_CODE !== session.code) throw codeMismatch('Invalid code or auth state for the user.');
    dropSession(ctx, input.Session);
    return issueTokens(ctx, pool, client, user, session.source, meta);
  }
  if (name === 'SOFTWARE_TOKEN_MFA') {
    if (!user.mfa.totpSecret || !verifyTotp(user.mfa.totpSecret, answers.SOFTWARE_TOKEN_MFA_CODE, ctx.now()))
      throw codeMismatch('Invalid code received for user');
    dropSession(ctx, input.Session);
    return issueTokens(ctx, pool, client, user, session.source, meta);
  }
  if (name === 'SELECT_MFA_TYPE') {
    const choice = answers.ANSWER;
    if (choice !== 'SMS_MFA' && choice !== 'SOFTWARE_TOKEN_MFA')
      throw invalidParameter('Invalid MFA type selected.');
    dropSession(ctx, input.Session);
    return challenge(ctx, pool, client, user, choice, meta, session.source);
  }
  throw invalidParameter(`Challenge ${name} is not supported by the emulator.`);
}

const RespondToAuthChallenge: Operation = (input, ctx) => {
  const { pool, client } = clientById(ctx.store.pools, input.ClientId);
  return respond(ctx, pool, client, input);
};

const AdminRespondToAuthChallenge: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  return respond(ctx, pool, requireClient(pool, input.ClientId), input);
};

const RevokeToken: Operation = (input, ctx) => {
  const { client } = clientById(ctx.store.pools, input.ClientId);
  if (client.secret && input.ClientSecret !== client.secret) throw notAuthorized('Invalid client secret.');
  if (!client.enableTokenRevocation)
    throw unsupportedOperation('Token revocation is not enabled for this app client.');
  const grant = ctx.tokens.refreshGrants.get(String(input.Token ?? ''));
  if (grant && grant.clientId !== client.id) throw notAuthorized('Invalid token for this client.');
  if (grant) ctx.tokens.revoke(grant);
  return {};
};

/** Resolves an access token to its user, refusing tokens from before a global sign-out. */
export function userFromAccessToken(ctx: OpContext, token: unknown) {
  const { pool, claims } = ctx.tokens.verifyAccessToken(token, ctx.store.pools);
  const user = pool.users.get(ctx.store.keyOf(pool, claims.username));
  if (!user || user.sub !== claims.sub) throw notAuthorized('User does not exist.');
  if (TokenService.signedOut(user, claims.iat)) throw notAuthorized('Access Token has been revoked');
  return { pool, user, claims };
}

export const authOperations: Record<string, Operation> = {
  InitiateAuth,
  AdminInitiateAuth,
  RespondToAuthChallenge,
  AdminRespondToAuthChallenge,
  RevokeToken,
};
