import type { CreateUserPoolRequest, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { ConfigError } from '#shared/errors';
import { readFileSync } from 'node:fs';

/** Lambda ARNs the local stack registers with the emulator (the brief's agreed names). */
export const LOCAL_FUNCTION_ARNS = {
  lazyMigrate: 'arn:aws:lambda:us-east-1:000000000000:function:lazy-migrate',
  groupSync: 'arn:aws:lambda:us-east-1:000000000000:function:group-sync',
  bulkExport: 'arn:aws:lambda:us-east-1:000000000000:function:bulk-export',
  reconcile: 'arn:aws:lambda:us-east-1:000000000000:function:reconcile',
} as const;

const CUSTOM_ATTRIBUTES = [
  { Name: 'tenant', AttributeDataType: 'String', Mutable: true },
  { Name: 'plan', AttributeDataType: 'String', Mutable: true },
] as const;

const SMS = { SnsCallerArn: 'arn:aws:iam::000000000000:role/cognito-sms', ExternalId: 'local-sms' };

/**
 * A legacy pool as many were created before 2020: case-sensitive usernames, email as an alias,
 * optional MFA (SMS and TOTP), two custom attributes.
 */
export const DEFAULT_SOURCE_POOL: CreateUserPoolRequest = {
  PoolName: 'legacy-users',
  AliasAttributes: ['email', 'phone_number'],
  UsernameConfiguration: { CaseSensitive: true },
  AutoVerifiedAttributes: ['email'],
  MfaConfiguration: 'OPTIONAL',
  SmsConfiguration: SMS,
  Schema: [...CUSTOM_ATTRIBUTES],
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
};

/** The pool infra/ creates: case-insensitive, the same aliases, `custom:legacy_sub`, SMS MFA optional. */
export const DEFAULT_TARGET_POOL: CreateUserPoolRequest = {
  PoolName: 'users',
  AliasAttributes: ['email', 'phone_number'],
  UsernameConfiguration: { CaseSensitive: false },
  AutoVerifiedAttributes: ['email'],
  MfaConfiguration: 'OPTIONAL',
  SmsConfiguration: SMS,
  Schema: [...CUSTOM_ATTRIBUTES, { Name: 'legacy_sub', AttributeDataType: 'String', Mutable: true }],
  AccountRecoverySetting: {
    RecoveryMechanisms: [
      { Name: 'verified_email', Priority: 1 },
      { Name: 'verified_phone_number', Priority: 2 },
    ],
  },
};

/**
 * Turns the `UserPool` object that `aws cognito-idp describe-user-pool` prints (or the whole
 * output, `{ "UserPool": ... }`) into a CreateUserPool request, so a rehearsal runs against a
 * copy of a real pool's settings. Read-only fields (Id, Arn, dates, counts, domains) are left
 * out; custom attributes lose their `custom:` prefix, as CreateUserPool expects; standard
 * attributes are kept only where they differ from the default (required).
 */
export const createRequestFromDescribe = (
  described: UserPoolType,
  poolName?: string,
): CreateUserPoolRequest => {
  const schema = (described.SchemaAttributes ?? []).flatMap((attribute) => {
    const name = attribute.Name ?? '';
    if (name.startsWith('custom:') || name.startsWith('dev:custom:')) {
      return [{ ...attribute, Name: name.replace(/^(dev:)?custom:/, ''), Required: false }];
    }
    return attribute.Required && name !== 'sub'
      ? [{ Name: name, Required: true, Mutable: attribute.Mutable }]
      : [];
  });
  return {
    PoolName: poolName ?? described.Name ?? 'rehearsal',
    ...(described.Policies ? { Policies: described.Policies } : {}),
    ...(described.AliasAttributes?.length ? { AliasAttributes: described.AliasAttributes } : {}),
    ...(described.UsernameAttributes?.length ? { UsernameAttributes: described.UsernameAttributes } : {}),
    ...(described.UsernameConfiguration ? { UsernameConfiguration: described.UsernameConfiguration } : {}),
    ...(described.AutoVerifiedAttributes ? { AutoVerifiedAttributes: described.AutoVerifiedAttributes } : {}),
    ...(described.MfaConfiguration ? { MfaConfiguration: described.MfaConfiguration } : {}),
    ...(described.MfaConfiguration && described.MfaConfiguration !== 'OFF'
      ? { SmsConfiguration: described.SmsConfiguration ?? SMS }
      : {}),
    ...(described.AccountRecoverySetting ? { AccountRecoverySetting: described.AccountRecoverySetting } : {}),
    ...(described.AdminCreateUserConfig
      ? {
          AdminCreateUserConfig: {
            AllowAdminCreateUserOnly: described.AdminCreateUserConfig.AllowAdminCreateUserOnly,
          },
        }
      : {}),
    Schema: schema as CreateUserPoolRequest['Schema'],
  };
};

/** Reads a `--source-pool-config` / `--target-pool-config` file. */
export const readPoolConfigFile = (path: string): CreateUserPoolRequest => {
  let parsed: { UserPool?: UserPoolType } & UserPoolType;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as typeof parsed;
  } catch (error) {
    throw new ConfigError(`Cannot read pool settings "${path}": ${(error as Error).message}`, [path]);
  }
  return createRequestFromDescribe(parsed.UserPool ?? parsed);
};
