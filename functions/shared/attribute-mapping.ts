import {
  DescribeUserPoolCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import type { Clock } from './clock';
import type { MigrationConfig } from './config';
import { isAwsError } from './cognito/errors';
import { TargetSchemaError, TargetThrottledError, TargetUnavailableError } from './errors';

/** One attribute of the target pool's schema, as DescribeUserPool lists it. */
export interface TargetAttribute {
  name: string;
  required: boolean;
  mutable: boolean;
  developerOnly: boolean;
}

/** What the migrator needs to know about the target pool to hand Cognito a user it accepts. */
export interface TargetSchema {
  userPoolId: string;
  /** Schema attributes by full name (`email`, `custom:legacy_sub`). */
  attributes: Record<string, TargetAttribute>;
  /** Attributes that replace the username (`email`, `phone_number`); empty when a username is used. */
  usernameAttributes: string[];
  /** Attributes a user may sign in with besides the username (`email`, `phone_number`, `preferred_username`). */
  aliasAttributes: string[];
  /** False when the pool treats `John` and `john` as one user. Pools created without the setting are case sensitive. */
  caseSensitive: boolean;
  mfaConfiguration: 'OFF' | 'ON' | 'OPTIONAL';
  /** True when the pool can send SMS (an SMS configuration exists) and MFA is not OFF. */
  smsMfaAvailable: boolean;
}

export type AttributeMap = MigrationConfig['attributeMap'];

/** The attributes to return, and what could not be carried over. */
export interface MappedAttributes {
  attributes: Record<string, string>;
  /** Source attributes the target cannot take (no such attribute, or not writable); configured drops excluded. */
  dropped: string[];
  /** Attributes the target requires that the result lacks. */
  missingRequired: string[];
}

/**
 * Attributes no one may write: Cognito assigns `sub` itself and rejects it in a UserMigration
 * response, and `identities` is maintained by federation.
 */
const READ_ONLY = new Set(['sub', 'identities']);

const isWritable = (attribute: TargetAttribute | undefined): attribute is TargetAttribute =>
  attribute !== undefined && !READ_ONLY.has(attribute.name) && !attribute.name.startsWith('cognito:');

/**
 * True when every user a migration creates in this target carries the source sub in
 * `attributeMap.legacySubAttribute` (`mapSourceAttributes` writes it whenever the target can take it).
 */
export const keepsLegacySub = (schema: TargetSchema, attributeMap: AttributeMap): boolean => {
  const legacy = attributeMap.legacySubAttribute;
  return Boolean(legacy && isWritable(schema.attributes[legacy]));
};

/**
 * Reads the target pool's schema, sign-in attributes, case sensitivity and MFA settings with one
 * DescribeUserPool call (UserPoolResourceRead quota: callers cache the result, see `cacheTargetSchema`).
 */
export const describeTargetSchema = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<TargetSchema> => {
  let pool;
  try {
    ({ UserPool: pool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }), {
      abortSignal: options.abortSignal,
    }));
  } catch (error) {
    if (isAwsError(error, 'TooManyRequestsException')) {
      throw new TargetThrottledError('DescribeUserPool on the target pool was throttled; retry later', {
        cause: error,
      });
    }
    throw new TargetUnavailableError(
      `Cannot describe target pool ${userPoolId}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!pool) throw new TargetSchemaError(`DescribeUserPool returned no pool for ${userPoolId}`);
  const attributes: Record<string, TargetAttribute> = {};
  for (const entry of pool.SchemaAttributes ?? []) {
    if (!entry.Name) continue;
    attributes[entry.Name] = {
      name: entry.Name,
      required: entry.Required === true,
      mutable: entry.Mutable !== false,
      developerOnly: entry.DeveloperOnlyAttribute === true,
    };
  }
  const mfaConfiguration = pool.MfaConfiguration ?? 'OFF';
  return {
    userPoolId,
    attributes,
    usernameAttributes: [...(pool.UsernameAttributes ?? [])],
    aliasAttributes: [...(pool.AliasAttributes ?? [])],
    caseSensitive: pool.UsernameConfiguration?.CaseSensitive ?? true,
    mfaConfiguration,
    smsMfaAvailable: mfaConfiguration !== 'OFF' && pool.SmsConfiguration?.SnsCallerArn !== undefined,
  };
};

/**
 * Caches a target schema per container for `ttlMs` (default 5 minutes): a trigger must not spend
 * a DescribeUserPool (5 per second per pool) on every sign-in. Failures are not cached, and
 * concurrent callers share one request.
 */
export const cacheTargetSchema = (
  load: () => Promise<TargetSchema>,
  clock: Clock,
  ttlMs = 5 * 60 * 1000,
): (() => Promise<TargetSchema>) => {
  let cached: { schema: TargetSchema; at: number } | undefined;
  let inFlight: Promise<TargetSchema> | undefined;
  return () => {
    if (cached && clock.now() - cached.at < ttlMs) return Promise.resolve(cached.schema);
    inFlight ??= load()
      .then((schema) => {
        cached = { schema, at: clock.now() };
        return schema;
      })
      .finally(() => {
        inFlight = undefined;
      });
    return inFlight;
  };
};

/**
 * Maps a source user's attributes onto the target schema:
 * - `sub` is never returned (Cognito assigns its own); its value goes into
 *   `attributeMap.legacySubAttribute` when the target has that attribute;
 * - configured drops are removed, configured renames applied (`{ "custom:org": "custom:tenant" }`);
 * - `email_verified` / `phone_number_verified` are copied exactly as the source has them;
 * - an attribute the target lacks or may not write is left out and listed in `dropped`;
 * - a required target attribute left without a value is listed in `missingRequired`.
 */
export const mapSourceAttributes = (
  sourceAttributes: Readonly<Record<string, string>>,
  schema: TargetSchema,
  attributeMap: AttributeMap,
): MappedAttributes => {
  const attributes: Record<string, string> = {};
  const dropped: string[] = [];
  const drops = new Set(attributeMap.drops);
  const legacy = attributeMap.legacySubAttribute;
  for (const [name, value] of Object.entries(sourceAttributes)) {
    if (drops.has(name)) continue;
    if (name === 'sub') {
      if (legacy && isWritable(schema.attributes[legacy])) attributes[legacy] = value;
      else dropped.push('sub');
      continue;
    }
    const targetName = attributeMap.renames[name] ?? name;
    // The legacy attribute carries the source sub; a same-named source attribute must not overwrite it.
    if (targetName === legacy && sourceAttributes.sub !== undefined) continue;
    if (isWritable(schema.attributes[targetName])) attributes[targetName] = value;
    else dropped.push(name);
  }
  const missingRequired = Object.values(schema.attributes)
    .filter((attribute) => attribute.required && isWritable(attribute) && !attributes[attribute.name])
    .map((attribute) => attribute.name)
    .sort();
  return { attributes, dropped: dropped.sort(), missingRequired };
};
