import type { SchemaAttributeType, UserPoolType } from '@aws-sdk/client-cognito-identity-provider';

/** What the seeder must know of a pool to create users it accepts. */
export interface PoolShape {
  /** The attribute that is the username (email or phone pools); undefined for username pools. */
  usernameAttribute?: 'email' | 'phone_number';
  mfa: 'OFF' | 'ON' | 'OPTIONAL';
  /** SMS MFA can be enabled (MFA not OFF and the pool has an SMS configuration). */
  smsMfa: boolean;
  /** SignUp is allowed (AdminCreateUserConfig.AllowAdminCreateUserOnly is not true). */
  signUp: boolean;
  minPasswordLength: number;
  /** The pool requires phone_number, so every user gets one. */
  phoneRequired?: boolean;
  /** Standard attributes the pool requires, besides email and phone_number. */
  requiredStandard: string[];
  /** Custom attributes an administrator may write, with their type and constraints. */
  custom: SchemaAttributeType[];
  /** Whether the schema has `name` (every AWS pool has; describe outputs may omit it). */
  hasName: boolean;
}

/** The shape of the default source pool: what `planUsers` draws when given no pool. */
export const DEFAULT_SHAPE: PoolShape = {
  mfa: 'OPTIONAL',
  smsMfa: true,
  signUp: true,
  minPasswordLength: 8,
  requiredStandard: [],
  custom: [
    { Name: 'custom:tenant', AttributeDataType: 'String' },
    { Name: 'custom:plan', AttributeDataType: 'String' },
  ],
  hasName: true,
};

/** Derives the seeding shape from a DescribeUserPool answer. */
export const poolShapeOf = (pool: UserPoolType): PoolShape => {
  const usernames = pool.UsernameAttributes ?? [];
  const mfa = pool.MfaConfiguration ?? 'OFF';
  const schema = pool.SchemaAttributes ?? [];
  return {
    ...(usernames.includes('email')
      ? { usernameAttribute: 'email' as const }
      : usernames.includes('phone_number')
        ? { usernameAttribute: 'phone_number' as const }
        : {}),
    mfa,
    smsMfa: mfa !== 'OFF' && pool.SmsConfiguration?.SnsCallerArn !== undefined,
    signUp: pool.AdminCreateUserConfig?.AllowAdminCreateUserOnly !== true,
    minPasswordLength: pool.Policies?.PasswordPolicy?.MinimumLength ?? 8,
    phoneRequired: schema.some((a) => a.Name === 'phone_number' && a.Required),
    requiredStandard: schema
      .filter((a) => a.Required && a.Name && !/^(sub|email|phone_number|custom:.*|dev:.*)$/.test(a.Name))
      .map((a) => a.Name!),
    custom: schema.filter((a) => a.Name?.startsWith('custom:') && a.DeveloperOnlyAttribute !== true),
    hasName: schema.length === 0 || schema.some((a) => a.Name === 'name'),
  };
};

/** A value OpenID Connect and Cognito accept for a standard attribute. */
const standardValue = (name: string, index: number, displayName: string): string => {
  switch (name) {
    case 'birthdate':
      return `19${50 + (index % 50)}-0${1 + (index % 9)}-1${index % 10}`;
    case 'updated_at':
      return String(1_600_000_000 + index);
    case 'gender':
      return index % 2 ? 'female' : 'male';
    case 'zoneinfo':
      return 'Europe/Paris';
    case 'locale':
      return 'en-US';
    case 'picture':
    case 'profile':
    case 'website':
      return `https://example.com/${name}/${index}`;
    case 'preferred_username':
      return `pref_${index}`;
    case 'address':
      return `${index} Main Street`;
    default:
      return displayName;
  }
};

/** A value of a custom attribute that fits its type and constraints; `known` wins when it fits. */
const customValue = (attribute: SchemaAttributeType, index: number, known?: string): string => {
  switch (attribute.AttributeDataType) {
    case 'Number': {
      const min = Number(attribute.NumberAttributeConstraints?.MinValue ?? 0);
      const max = Number(attribute.NumberAttributeConstraints?.MaxValue ?? min + 1000);
      return String(min + (index % (max - min + 1)));
    }
    case 'Boolean':
      return index % 3 === 0 ? 'true' : 'false';
    case 'DateTime':
      return new Date(Date.UTC(2020, 0, 1) + index * 3_600_000).toISOString();
    default: {
      const min = Number(attribute.StringAttributeConstraints?.MinLength ?? 0);
      const max = Number(attribute.StringAttributeConstraints?.MaxLength ?? 2048);
      const base = known ?? `${attribute.Name!.slice('custom:'.length)}-${index}`;
      return base.padEnd(Math.max(min, 1), '0').slice(0, max);
    }
  }
};

/**
 * The schema attributes of one seeded user beyond email and phone: `name` when the pool has it,
 * every required standard attribute, and every administrator-writable custom attribute, each with
 * a value that fits the attribute's type and constraints.
 */
export const schemaAttributes = (
  shape: PoolShape,
  index: number,
  displayName: string,
  known: Record<string, string>,
): { Name: string; Value: string }[] => [
  ...(shape.hasName ? [{ Name: 'name', Value: displayName }] : []),
  ...shape.requiredStandard
    .filter((name) => name !== 'name')
    .map((name) => ({ Name: name, Value: standardValue(name, index, displayName) })),
  ...shape.custom.map((attribute) => ({
    Name: attribute.Name!,
    Value: customValue(attribute, index, known[attribute.Name!]),
  })),
];
