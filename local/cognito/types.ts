import type { UserIndex } from './user-index';
import type { SortedIndex } from './sorted-index';

export type UserStatus =
  'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | 'ARCHIVED' | 'EXTERNAL_PROVIDER';

export type Attributes = Record<string, string>;

export interface SchemaAttribute {
  Name: string;
  AttributeDataType: 'String' | 'Number' | 'DateTime' | 'Boolean';
  DeveloperOnlyAttribute: boolean;
  Mutable: boolean;
  Required: boolean;
  StringAttributeConstraints?: { MinLength?: string; MaxLength?: string };
  NumberAttributeConstraints?: { MinValue?: string; MaxValue?: string };
}

export interface PasswordPolicy {
  MinimumLength: number;
  RequireUppercase: boolean;
  RequireLowercase: boolean;
  RequireNumbers: boolean;
  RequireSymbols: boolean;
  TemporaryPasswordValidityDays: number;
}

/** The settings UpdateUserPool may change (and resets to defaults when omitted, as AWS does). */
export interface PoolSettings {
  Policies: { PasswordPolicy: PasswordPolicy };
  LambdaConfig: Record<string, unknown>;
  AutoVerifiedAttributes: string[];
  MfaConfiguration: 'OFF' | 'ON' | 'OPTIONAL';
  AccountRecoverySetting: { RecoveryMechanisms: { Name: string; Priority: number }[] };
  AdminCreateUserConfig: { AllowAdminCreateUserOnly: boolean; UnusedAccountValidityDays?: number };
  DeletionProtection: 'ACTIVE' | 'INACTIVE';
  UserPoolTags: Record<string, string>;
  SmsConfiguration?: Record<string, unknown>;
  EmailConfiguration?: Record<string, unknown>;
  /**
   * Settings the emulator stores and describes but does not act on (message templates, device
   * tracking, add-ons, tier, ...), so a pool copied from a describe-user-pool output describes
   * as the original does.
   */
  Stored?: Record<string, unknown>;
}

export interface PoolRecord {
  id: string;
  name: string;
  arn: string;
  created: number;
  modified: number;
  aliasAttributes: string[];
  usernameAttributes: string[];
  caseSensitive: boolean;
  schema: Map<string, SchemaAttribute>;
  settings: PoolSettings;
  /** SoftwareTokenMfaConfiguration.Enabled, set by SetUserPoolMfaConfig only (UpdateUserPool keeps it). */
  softwareTokenMfa?: boolean;
  users: Map<string, UserRecord>;
  /** Sign-in aliases: `attr:folded value` to the owner's lookup key. */
  aliases: Map<string, string>;
  subs: Map<string, string>;
  index: UserIndex;
  groups: Map<string, GroupRecord>;
  groupNames: SortedIndex;
  clients: Map<string, ClientRecord>;
}

export interface MfaSettings {
  sms: boolean;
  totp: boolean;
  preferred?: 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA';
  totpSecret?: string;
}

export interface PendingCode {
  code: string;
  expires: number;
}

export interface UserRecord {
  username: string;
  key: string;
  sub: string;
  attributes: Attributes;
  status: UserStatus;
  enabled: boolean;
  created: number;
  modified: number;
  password?: { salt: string; hash: string };
  mfa: MfaSettings;
  groups: Set<string>;
  /** Tokens issued before this instant are refused (AdminUserGlobalSignOut). */
  tokensValidAfter: number;
  codes: { signup?: PendingCode; reset?: PendingCode; verify?: Record<string, PendingCode> };
}

export interface GroupRecord {
  name: string;
  description?: string;
  roleArn?: string;
  precedence?: number;
  created: number;
  modified: number;
  members: SortedIndex;
}

export interface ClientRecord {
  id: string;
  poolId: string;
  name: string;
  secret?: string;
  explicitAuthFlows: string[];
  readAttributes?: string[];
  writeAttributes?: string[];
  enableTokenRevocation: boolean;
  preventUserExistenceErrors: 'LEGACY' | 'ENABLED';
  accessTokenValidity: number;
  idTokenValidity: number;
  refreshTokenValidity: number;
  tokenValidityUnits: { AccessToken: string; IdToken: string; RefreshToken: string };
  created: number;
  modified: number;
  extra: Record<string, unknown>;
}

export type OutboxKind = 'invitation' | 'welcome' | 'signup' | 'verification' | 'reset' | 'mfa';

export interface OutboxMessage {
  id: number;
  at: number;
  userPoolId: string;
  username: string;
  kind: OutboxKind;
  medium: 'EMAIL' | 'SMS';
  destination: string;
  code?: string;
  temporaryPassword?: string;
}
