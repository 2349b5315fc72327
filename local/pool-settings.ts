import type { CreateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { ConfigError } from '#shared/errors';
import { readTextFile } from '#shared/text-file';

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

/** Fields of a describe-user-pool output that CreateUserPool takes as they are. */
const COPIED_FIELDS = [
  'Policies',
  'DeletionProtection',
  'AutoVerifiedAttributes',
  'SmsVerificationMessage',
  'EmailVerificationMessage',
  'EmailVerificationSubject',
  'VerificationMessageTemplate',
  'SmsAuthenticationMessage',
  'UserAttributeUpdateSettings',
  'MfaConfiguration',
  'DeviceConfiguration',
  'EmailConfiguration',
  'SmsConfiguration',
  'UserPoolTags',
  'AdminCreateUserConfig',
  'UserPoolAddOns',
  'UsernameConfiguration',
  'AccountRecoverySetting',
  'UserPoolTier',
] as const;

/**
 * Fields AWS sets and CreateUserPool does not take: identity, dates, counts, domains, delivery
 * failures. LambdaConfig is left out too: the local stack wires its own functions.
 */
const IGNORED_FIELDS = new Set([
  'Id',
  'Name',
  'Arn',
  'Status',
  'CreationDate',
  'LastModifiedDate',
  'EstimatedNumberOfUsers',
  'Domain',
  'CustomDomain',
  'SmsConfigurationFailure',
  'EmailConfigurationFailure',
  'LambdaConfig',
]);

/** Attributes AWS manages in every pool; CreateUserPool refuses them in Schema. */
const MANAGED_ATTRIBUTES = new Set(['sub', 'identities']);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A describe-user-pool file that cannot start a pool; the message names the file and the field. */
const invalid = (file: string, field: string, problem: string) =>
  new ConfigError(`${file}: ${field} ${problem}`, [`${file}: ${field}`]);

const schemaFrom = (value: unknown, file: string): NonNullable<CreateUserPoolRequest['Schema']> => {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(file, 'SchemaAttributes', 'must be a list of attributes');
  return value.flatMap((attribute: unknown, i) => {
    const field = `SchemaAttributes[${i}]`;
    if (!isRecord(attribute)) throw invalid(file, field, 'must be an object');
    const name = attribute.Name;
    if (typeof name !== 'string' || name === '')
      throw invalid(file, `${field}.Name`, 'must be a non-empty string');
    const type = attribute.AttributeDataType;
    if (type !== undefined && !['String', 'Number', 'DateTime', 'Boolean'].includes(String(type)))
      throw invalid(file, `${field}.AttributeDataType`, 'must be String, Number, DateTime or Boolean');
    if (/^(dev:)?custom:/.test(name)) {
      // CreateUserPool takes custom attributes without their prefix; developer-only ones keep
      // DeveloperOnlyAttribute, which is what the `dev:` prefix means.
      const { Name: _name, Required: _required, ...rest } = attribute;
      return [{ ...rest, Name: name.replace(/^(dev:)?custom:/, '') }];
    }
    if (MANAGED_ATTRIBUTES.has(name)) return [];
    // Standard attributes: only what differs from a new pool (required, or made immutable).
    return attribute.Required === true || attribute.Mutable === false
      ? [
          {
            Name: name,
            AttributeDataType: type ?? 'String',
            Required: attribute.Required === true,
            Mutable: attribute.Mutable !== false,
          },
        ]
      : [];
  }) as NonNullable<CreateUserPoolRequest['Schema']>;
};

const listField = (described: Record<string, unknown>, field: string, file: string): string[] => {
  const value = described[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
    throw invalid(file, field, 'must be a list of attribute names');
  return value as string[];
};

/**
 * Turns the `UserPool` object that `aws cognito-idp describe-user-pool` prints (or the whole
 * output, `{ "UserPool": ... }`) into the complete CreateUserPool request of a pool with the same
 * settings: every setting CreateUserPool takes is copied, AWS-set fields (Id, Arn, dates, counts,
 * domains) and LambdaConfig are left out, custom attributes lose their `custom:` prefix as
 * CreateUserPool expects, and standard attributes are kept where they differ from a new pool.
 * The result is the whole pool: nothing of DEFAULT_SOURCE_POOL/DEFAULT_TARGET_POOL is merged in.
 * Throws ConfigError naming `file` and the field for anything that cannot start a pool.
 */
export const createRequestFromDescribe = (
  output: unknown,
  file = 'pool settings',
  poolName?: string,
): CreateUserPoolRequest => {
  const described = isRecord(output) && isRecord(output.UserPool) ? output.UserPool : output;
  if (!isRecord(described))
    throw invalid(
      file,
      'UserPool',
      'is missing: expected the output of `aws cognito-idp describe-user-pool`',
    );
  const mfa = described.MfaConfiguration;
  if (mfa !== undefined && mfa !== null && !['OFF', 'ON', 'OPTIONAL'].includes(String(mfa)))
    throw invalid(file, 'MfaConfiguration', 'must be OFF, ON or OPTIONAL');
  const aliases = listField(described, 'AliasAttributes', file);
  const usernames = listField(described, 'UsernameAttributes', file);
  if (aliases.length > 0 && usernames.length > 0)
    throw invalid(
      file,
      'AliasAttributes',
      'and UsernameAttributes cannot both be set (AWS allows one of them)',
    );
  const copied = Object.fromEntries(
    COPIED_FIELDS.filter((field) => described[field] !== undefined && described[field] !== null).map(
      (field) => [field, described[field]],
    ),
  );
  return {
    ...copied,
    PoolName:
      poolName ?? (typeof described.Name === 'string' && described.Name ? described.Name : 'rehearsal'),
    ...(aliases.length ? { AliasAttributes: aliases } : {}),
    ...(usernames.length ? { UsernameAttributes: usernames } : {}),
    Schema: schemaFrom(described.SchemaAttributes, file),
  } as CreateUserPoolRequest;
};

/** Fields of a describe-user-pool output this reader neither copies nor knowingly ignores. */
export const unknownPoolFields = (output: Record<string, unknown>): string[] => {
  const described = isRecord(output.UserPool) ? output.UserPool : output;
  return Object.keys(described).filter(
    (field) =>
      !IGNORED_FIELDS.has(field) &&
      !(COPIED_FIELDS as readonly string[]).includes(field) &&
      !['AliasAttributes', 'UsernameAttributes', 'SchemaAttributes'].includes(field),
  );
};

/** Reads a `--source-pool-config` / `--target-pool-config` file: the whole pool, see createRequestFromDescribe. */
export const readPoolConfigFile = (path: string): CreateUserPoolRequest => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readTextFile(path, 'pool settings'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Pool settings "${path}" are not valid JSON: ${(error as Error).message}`, [path]);
  }
  return createRequestFromDescribe(parsed, path);
};
