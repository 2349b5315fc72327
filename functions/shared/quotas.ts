/**
 * Cognito quota categories the migrator spends, with AWS's default requests per second.
 * Quotas are per account and Region and shared with every application using the pools. Which
 * operation spends which category: `cognito/operations.ts`.
 */
export const QUOTA_DEFAULTS = {
  UserList: 30,
  UserPoolResourceRead: 20,
  UserPoolResourceUpdate: 15,
  UserAuthentication: 120,
  UserRead: 120,
  UserResourceRead: 50,
  UserCreation: 50,
  UserUpdate: 25,
  UserAccountRecovery: 30,
  UserFederation: 25,
} as const;

export type QuotaCategory = keyof typeof QUOTA_DEFAULTS;

export const QUOTA_CATEGORIES = Object.keys(QUOTA_DEFAULTS) as QuotaCategory[];
