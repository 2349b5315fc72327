import { mapSourceAttributes, type TargetSchema } from '#shared/attribute-mapping';
import type { MigrationConfig } from '#shared/config';
import { ADMIN_REFERRABLE, type MigrationMethod } from '#shared/table/status';
import { transitionStatus } from '#shared/table/users';
import type { TableContext } from '#shared/table/context';
import { refuse, type RefusalReason } from './refusal';
import type { SourceUser } from './source-user';
import { targetIdentity } from './target-username';

/** The UserMigration `response` fields this trigger sets. */
export interface MigrationResponse {
  userAttributes: Record<string, string>;
  finalUserStatus: 'CONFIRMED' | 'RESET_REQUIRED';
  messageAction: 'SUPPRESS';
  enableSMSMFA?: boolean;
}

/** A decision to migrate: what to hand Cognito, and what to record. */
export interface MigrationDecision {
  response: MigrationResponse;
  /** Outcome code for the log and metrics (PASSWORD_VERIFIED, MFA_RESET, ...). */
  reason: string;
  /** The source's canonical username (what the source itself resolved), the record's key. */
  sourceUsername: string;
  targetUsername: string;
  /** Set when the target generates usernames: `targetUsername` is this attribute's value. */
  targetUsernameAttribute?: 'email' | 'phone_number';
  sourceSub?: string;
  method: MigrationMethod;
  mfaReenrolRequired: boolean;
  /** Source attributes the target could not take. */
  dropped: string[];
}

/** True when Cognito can send a reset code: a verified email or phone number among the attributes. */
export const hasVerifiedContact = (attributes: Readonly<Record<string, string>>): boolean =>
  (Boolean(attributes.email) && attributes.email_verified === 'true') ||
  (Boolean(attributes.phone_number) && attributes.phone_number_verified === 'true');

/** The attributes to return for a source user: mapped to the target schema, plus the username rules. */
export const targetAttributes = (
  typed: string,
  user: SourceUser,
  schema: TargetSchema,
  config: MigrationConfig,
): {
  attributes: Record<string, string>;
  targetUsername: string;
  targetUsernameAttribute?: 'email' | 'phone_number';
  dropped: string[];
} => {
  const mapped = mapSourceAttributes(user.attributes, schema, config.attributeMap);
  const identity = targetIdentity(typed, user.username, user.attributes, schema);
  const attributes = { ...mapped.attributes, ...identity.attributes };
  const missing = mapped.missingRequired.filter((name) => !attributes[name]);
  if (missing.length > 0) refuse('MISSING_REQUIRED_ATTRIBUTE', missing.join(','));
  return {
    attributes,
    targetUsername: identity.targetUsername,
    ...(identity.targetUsernameAttribute
      ? { targetUsernameAttribute: identity.targetUsernameAttribute }
      : {}),
    dropped: mapped.dropped,
  };
};

/**
 * Marks a user an administrator must handle (e.g. a temporary password and no way to receive a
 * reset code), then refuses. The mark is best effort: the refusal stands either way.
 */
export const refuseForAdmin = async (
  table: TableContext,
  sourceUsername: string,
  reason: RefusalReason,
): Promise<never> => {
  await transitionStatus(table, sourceUsername, {
    from: ADMIN_REFERRABLE,
    to: 'NEEDS_ADMIN',
    reason,
  }).catch(() => undefined);
  return refuse(reason);
};
