import { randomBytes } from 'node:crypto';
import { invalidParameter } from '../errors';
import { DEFAULT_PASSWORD_POLICY } from '../passwords';
import { buildSchema } from '../schema';
import { SortedIndex } from '../sorted-index';
import { Store } from '../store';
import { seconds, type Input, type OpContext, type Operation } from '../context';
import type { PoolRecord, PoolSettings } from '../types';

const ALIAS_CHOICES = ['email', 'phone_number', 'preferred_username'];
const USERNAME_CHOICES = ['email', 'phone_number'];
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function poolId(region: string): string {
  const bytes = randomBytes(9);
  return `${region}_${Array.from(bytes, (b) => ID_CHARS[b % ID_CHARS.length]).join('')}`;
}

function list(value: unknown, field: string, allowed: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((v) => !allowed.includes(v)))
    throw invalidParameter(`${field} must be a list of: ${allowed.join(', ')}.`);
  return [...new Set(value as string[])];
}

/** CreateUserPool/UpdateUserPool fields the emulator keeps and describes without acting on them. */
const STORED_FIELDS = [
  'SmsAuthenticationMessage',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'UserAttributeUpdateSettings',
  'DeviceConfiguration',
  'UserPoolAddOns',
  'UserPoolTier',
] as const;

/**
 * The settings a pool gets from CreateUserPool or UpdateUserPool. AWS resets every setting
 * UpdateUserPool omits to its default, so both paths build the whole set from the input.
 */
function settingsFrom(input: Input): PoolSettings {
  const mfa = input.MfaConfiguration ?? 'OFF';
  if (!['OFF', 'ON', 'OPTIONAL'].includes(mfa))
    throw invalidParameter('MfaConfiguration must be OFF, ON or OPTIONAL.');
  return {
    // Other policies (SignInPolicy, ...) are kept as given; only the password policy is enforced.
    Policies: {
      ...(input.Policies ?? {}),
      PasswordPolicy: { ...DEFAULT_PASSWORD_POLICY, ...(input.Policies?.PasswordPolicy ?? {}) },
    },
    LambdaConfig: { ...(input.LambdaConfig ?? {}) },
    AutoVerifiedAttributes: list(input.AutoVerifiedAttributes, 'AutoVerifiedAttributes', USERNAME_CHOICES),
    MfaConfiguration: mfa,
    AccountRecoverySetting: input.AccountRecoverySetting ?? {
      RecoveryMechanisms: [
        { Name: 'verified_email', Priority: 1 },
        { Name: 'verified_phone_number', Priority: 2 },
      ],
    },
    AdminCreateUserConfig: { AllowAdminCreateUserOnly: false, ...(input.AdminCreateUserConfig ?? {}) },
    DeletionProtection: input.DeletionProtection ?? 'INACTIVE',
    UserPoolTags: input.UserPoolTags ?? {},
    ...(input.SmsConfiguration ? { SmsConfiguration: input.SmsConfiguration } : {}),
    ...(input.EmailConfiguration ? { EmailConfiguration: input.EmailConfiguration } : {}),
    Stored: Object.fromEntries(STORED_FIELDS.filter((f) => input[f] !== undefined).map((f) => [f, input[f]])),
  };
}

/** Creates a pool record; shared by CreateUserPool and state loading. */
export function newPool(input: Input, region: string, now: number): PoolRecord {
  if (typeof input.PoolName !== 'string' || input.PoolName === '')
    throw invalidParameter('PoolName is required.');
  if (input.AliasAttributes?.length && input.UsernameAttributes?.length)
    throw invalidParameter('Only one of aliasAttributes or usernameAttributes can be set in a User Pool.');
  const id = input.Id ?? poolId(region);
  const caseSensitive = input.UsernameConfiguration?.CaseSensitive !== false;
  return {
    id,
    name: input.PoolName,
    arn: `arn:aws:cognito-idp:${region}:000000000000:userpool/${id}`,
    created: now,
    modified: now,
    aliasAttributes: list(input.AliasAttributes, 'AliasAttributes', ALIAS_CHOICES),
    usernameAttributes: list(input.UsernameAttributes, 'UsernameAttributes', USERNAME_CHOICES),
    caseSensitive,
    schema: buildSchema(input.Schema),
    settings: settingsFrom(input),
    users: new Map(),
    aliases: new Map(),
    subs: new Map(),
    index: Store.emptyIndex(caseSensitive),
    groups: new Map(),
    groupNames: new SortedIndex(),
    clients: new Map(),
  };
}

export function describePool(pool: PoolRecord): object {
  const { Stored, ...settings } = pool.settings;
  return {
    UserPoolTier: 'ESSENTIALS',
    ...Stored,
    Id: pool.id,
    Name: pool.name,
    Arn: pool.arn,
    ...settings,
    SchemaAttributes: [...pool.schema.values()],
    AliasAttributes: pool.aliasAttributes.length ? pool.aliasAttributes : undefined,
    UsernameAttributes: pool.usernameAttributes.length ? pool.usernameAttributes : undefined,
    UsernameConfiguration: { CaseSensitive: pool.caseSensitive },
    EstimatedNumberOfUsers: pool.users.size,
    CreationDate: seconds(pool.created),
    LastModifiedDate: seconds(pool.modified),
  };
}

const CreateUserPool: Operation = (input, ctx) => {
  const pool = newPool(input, ctx.region, ctx.now());
  ctx.store.pools.set(pool.id, pool);
  return { UserPool: describePool(pool) };
};

const DescribeUserPool: Operation = (input, ctx) => ({
  UserPool: describePool(ctx.store.pool(input.UserPoolId)),
});

const UpdateUserPool: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  pool.settings = settingsFrom(input);
  pool.modified = ctx.now();
  return {};
};

const DeleteUserPool: Operation = (input, ctx: OpContext) => {
  const pool = ctx.store.pool(input.UserPoolId);
  if (pool.settings.DeletionProtection === 'ACTIVE')
    throw invalidParameter('The user pool cannot be deleted because deletion protection is activated.');
  ctx.store.pools.delete(pool.id);
  return {};
};

const ListUserPools: Operation = (input, ctx) => {
  const max = Number(input.MaxResults);
  if (!Number.isInteger(max) || max < 1 || max > 60)
    throw invalidParameter('MaxResults must be between 1 and 60.');
  const ids = [...ctx.store.pools.keys()].sort();
  const start = input.NextToken ? ids.indexOf(String(input.NextToken)) : 0;
  const page = ids.slice(Math.max(0, start), Math.max(0, start) + max);
  const next = ids[Math.max(0, start) + max];
  return {
    UserPools: page.map((id) => {
      const pool = ctx.store.pools.get(id)!;
      return {
        Id: id,
        Name: pool.name,
        LambdaConfig: pool.settings.LambdaConfig,
        CreationDate: seconds(pool.created),
      };
    }),
    ...(next ? { NextToken: next } : {}),
  };
};

export const poolOperations: Record<string, Operation> = {
  CreateUserPool,
  DescribeUserPool,
  UpdateUserPool,
  DeleteUserPool,
  ListUserPools,
};
