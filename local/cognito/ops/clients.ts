import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { invalidParameter, notAuthorized, resourceNotFound } from '../errors';
import { seconds, type Input, type Operation } from '../context';
import type { ClientRecord, PoolRecord } from '../types';

const NEW_FLOWS = [
  'ALLOW_ADMIN_USER_PASSWORD_AUTH',
  'ALLOW_CUSTOM_AUTH',
  'ALLOW_USER_PASSWORD_AUTH',
  'ALLOW_USER_SRP_AUTH',
  'ALLOW_REFRESH_TOKEN_AUTH',
  'ALLOW_USER_AUTH',
];
const LEGACY_FLOWS = ['ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH'];
const DEFAULT_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];

const randomId = (length: number, alphabet: string) =>
  Array.from(randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');

function explicitFlows(value: unknown): string[] {
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return [...DEFAULT_FLOWS];
  if (!Array.isArray(value) || value.some((f) => !NEW_FLOWS.includes(f) && !LEGACY_FLOWS.includes(f)))
    throw invalidParameter('ExplicitAuthFlows contains an unknown flow.');
  const legacy = value.some((f) => LEGACY_FLOWS.includes(f));
  const modern = value.some((f) => NEW_FLOWS.includes(f));
  if (legacy && modern) throw invalidParameter('Cannot mix legacy and new explicit auth flows.');
  return [...new Set(value as string[])];
}

function attributeList(pool: PoolRecord, value: unknown, kind: 'read' | 'write'): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((a) => !pool.schema.has(a) || (kind === 'write' && a === 'sub')))
    throw invalidParameter(`Invalid ${kind} attributes specified while creating a client`);
  return value as string[];
}

function applySettings(pool: PoolRecord, client: ClientRecord, input: Input): void {
  client.name = input.ClientName ?? client.name;
  client.explicitAuthFlows = explicitFlows(input.ExplicitAuthFlows);
  client.readAttributes = attributeList(pool, input.ReadAttributes, 'read');
  client.writeAttributes = attributeList(pool, input.WriteAttributes, 'write');
  client.enableTokenRevocation = input.EnableTokenRevocation !== false;
  const prevent = input.PreventUserExistenceErrors ?? 'LEGACY';
  if (prevent !== 'LEGACY' && prevent !== 'ENABLED')
    throw invalidParameter('PreventUserExistenceErrors must be LEGACY or ENABLED.');
  client.preventUserExistenceErrors = prevent;
  client.accessTokenValidity = input.AccessTokenValidity ?? 60;
  client.idTokenValidity = input.IdTokenValidity ?? 60;
  client.refreshTokenValidity = input.RefreshTokenValidity ?? 30;
  client.tokenValidityUnits = {
    AccessToken: 'minutes',
    IdToken: 'minutes',
    RefreshToken: 'days',
    ...input.TokenValidityUnits,
  };
  const { UserPoolId: _p, ClientId: _c, ClientName: _n, GenerateSecret: _g, ...rest } = input;
  client.extra = rest;
}

export function describeClient(client: ClientRecord): object {
  return {
    ...client.extra,
    UserPoolId: client.poolId,
    ClientName: client.name,
    ClientId: client.id,
    ...(client.secret ? { ClientSecret: client.secret } : {}),
    ExplicitAuthFlows: client.explicitAuthFlows,
    ReadAttributes: client.readAttributes,
    WriteAttributes: client.writeAttributes,
    EnableTokenRevocation: client.enableTokenRevocation,
    PreventUserExistenceErrors: client.preventUserExistenceErrors,
    AccessTokenValidity: client.accessTokenValidity,
    IdTokenValidity: client.idTokenValidity,
    RefreshTokenValidity: client.refreshTokenValidity,
    TokenValidityUnits: client.tokenValidityUnits,
    CreationDate: seconds(client.created),
    LastModifiedDate: seconds(client.modified),
  };
}

/**
 * Whether an app client may write an attribute on a user's behalf. AWS: "When you don't specify
 * the WriteAttributes for your app client, your app can write the values of the Standard
 * attributes of your user pool" — so a client without WriteAttributes writes no custom attribute.
 */
export function clientMayWrite(client: ClientRecord, attribute: string): boolean {
  if (client.writeAttributes) return client.writeAttributes.includes(attribute);
  return !attribute.startsWith('custom:') && !attribute.startsWith('dev:');
}

export function requireClient(pool: PoolRecord, clientId: unknown): ClientRecord {
  const client = typeof clientId === 'string' ? pool.clients.get(clientId) : undefined;
  if (!client) throw resourceNotFound(`User pool client ${String(clientId)} does not exist.`);
  return client;
}

/** Finds the client and its pool from a client ID alone, as the public (non-admin) APIs must. */
export function clientById(
  pools: Map<string, PoolRecord>,
  clientId: unknown,
): { pool: PoolRecord; client: ClientRecord } {
  for (const pool of pools.values()) {
    const client = typeof clientId === 'string' ? pool.clients.get(clientId) : undefined;
    if (client) return { pool, client };
  }
  throw resourceNotFound(`User pool client ${String(clientId)} does not exist.`);
}

/** Checks SECRET_HASH = Base64(HMAC-SHA256(client secret, username + client id)) when the client has a secret. */
export function checkSecretHash(client: ClientRecord, username: string, secretHash: unknown): void {
  if (!client.secret) return;
  if (typeof secretHash !== 'string' || secretHash === '')
    throw notAuthorized(`Client ${client.id} is configured with secret but SECRET_HASH was not received`);
  const expected = createHmac('sha256', client.secret)
    .update(username + client.id)
    .digest();
  const actual = Buffer.from(secretHash, 'base64');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected))
    throw notAuthorized(`Unable to verify secret hash for client ${client.id}`);
}

const CreateUserPoolClient: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  if (typeof input.ClientName !== 'string' || !input.ClientName)
    throw invalidParameter('ClientName is required.');
  const now = ctx.now();
  const client: ClientRecord = {
    id: randomId(26, 'abcdefghijklmnopqrstuvwxyz0123456789'),
    poolId: pool.id,
    name: input.ClientName,
    ...(input.GenerateSecret ? { secret: randomId(51, 'abcdefghijklmnopqrstuvwxyz0123456789') } : {}),
    explicitAuthFlows: [],
    enableTokenRevocation: true,
    preventUserExistenceErrors: 'LEGACY',
    accessTokenValidity: 60,
    idTokenValidity: 60,
    refreshTokenValidity: 30,
    tokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' },
    created: now,
    modified: now,
    extra: {},
  };
  applySettings(pool, client, input);
  pool.clients.set(client.id, client);
  return { UserPoolClient: describeClient(client) };
};

const DescribeUserPoolClient: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  return { UserPoolClient: describeClient(requireClient(pool, input.ClientId)) };
};

const UpdateUserPoolClient: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const client = requireClient(pool, input.ClientId);
  applySettings(pool, client, input);
  client.modified = ctx.now();
  return { UserPoolClient: describeClient(client) };
};

const DeleteUserPoolClient: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  pool.clients.delete(requireClient(pool, input.ClientId).id);
  return {};
};

const ListUserPoolClients: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  return {
    UserPoolClients: [...pool.clients.values()].map((c) => ({
      ClientId: c.id,
      ClientName: c.name,
      UserPoolId: pool.id,
    })),
  };
};

export const clientOperations: Record<string, Operation> = {
  CreateUserPoolClient,
  DescribeUserPoolClient,
  UpdateUserPoolClient,
  DeleteUserPoolClient,
  ListUserPoolClients,
};
