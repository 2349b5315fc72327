import { mapSourceAttributes, type TargetSchema } from '#shared/attribute-mapping';
import type { UserRecord } from '#shared/table/users';
import type { ReconcileDeps } from './deps';
import type { CampaignSample } from './report';

/** What the campaign will do with a flagged user, decided from the snapshot alone. */
export type CampaignPlan =
  /** Create nothing; an administrator decides. */
  | { action: 'needs-admin'; reason: string }
  /** Create, restore groups, send a reset code: RESET_SENT. */
  | { action: 'reset'; targetUsername: string; attributes: Record<string, string> }
  /** Create disabled with groups, send no code (a disabled user cannot use one): NEEDS_ADMIN. */
  | { action: 'create-disabled'; targetUsername: string; attributes: Record<string, string> };

/** A plan that creates the user in the target pool. */
export type CreatePlan = Exclude<CampaignPlan, { action: 'needs-admin' }>;

/** Why a disabled source user created in the target waits for an administrator. */
export const DISABLED_IN_SOURCE = 'DISABLED_IN_SOURCE';

/**
 * Source statuses a reset code may go to: those the trigger's forgot-password path accepts, plus
 * FORCE_CHANGE_PASSWORD, which the trigger's sign-in path also moves into RESET_REQUIRED when
 * a verified contact exists (the verified-contact rule below still applies).
 */
const ELIGIBLE_STATUSES = new Set(['CONFIRMED', 'RESET_REQUIRED', 'FORCE_CHANGE_PASSWORD']);

const verified = (attributes: Record<string, string>, name: string): boolean =>
  Boolean(attributes[name]) && attributes[`${name}_verified`] === 'true';

/**
 * Why a source user must not become a native target user through the campaign, if they must not.
 * A federated user has no password (the IdP signs them in) and an UNCONFIRMED one never proved
 * the contact is theirs: a reset code would hand either a password sign-in they never had.
 */
const ineligibility = (record: UserRecord): string | undefined => {
  if (record.userStatus === 'EXTERNAL_PROVIDER' || record.attributes.identities) return 'FEDERATED_USER';
  if (record.userStatus === 'UNCONFIRMED') return 'SOURCE_UNCONFIRMED';
  if (!ELIGIBLE_STATUSES.has(record.userStatus)) return `SOURCE_STATUS_NOT_ELIGIBLE:${record.userStatus}`;
  return undefined;
};

/**
 * Plans a user from the snapshot, attributes mapped exactly as the trigger maps them. Federated,
 * unconfirmed and otherwise ineligible source users are never created. A reset code goes only to
 * a verified email or phone (AdminResetUserPassword sends nothing otherwise), so a user with
 * neither needs a person, not a campaign. A disabled source user is created disabled (or not at
 * all, per `disabledUsers`) and never sent a code.
 */
export const planUser = (
  record: UserRecord,
  schema: TargetSchema,
  deps: Pick<ReconcileDeps, 'config'>,
): CampaignPlan => {
  const ineligible = ineligibility(record);
  if (ineligible) return { action: 'needs-admin', reason: ineligible };
  if (!record.enabled && deps.config.disabledUsers === 'skip') {
    return { action: 'needs-admin', reason: 'SOURCE_USER_DISABLED' };
  }
  const { attributes, missingRequired } = mapSourceAttributes(
    // The legacy sub is what tells the campaign's user from a stranger's sign-up: never left out.
    { ...(record.sub ? { sub: record.sub } : {}), ...record.attributes },
    schema,
    deps.config.attributeMap,
  );
  if (missingRequired.length > 0) {
    return { action: 'needs-admin', reason: `MISSING_REQUIRED_ATTRIBUTES:${missingRequired.join(',')}` };
  }
  if (!verified(attributes, 'email') && !verified(attributes, 'phone_number')) {
    return { action: 'needs-admin', reason: 'NO_VERIFIED_CONTACT' };
  }
  // An email- or phone-as-username pool takes that value as the username.
  const byAttribute = schema.usernameAttributes.map((name) => attributes[name]).find(Boolean);
  const targetUsername = schema.usernameAttributes.length > 0 && byAttribute ? byAttribute : record.username;
  return { action: record.enabled ? 'reset' : 'create-disabled', targetUsername, attributes };
};

/** A dry run's view of a plan: the outcome the real run would report. */
export const sampleOf = (record: UserRecord, plan: CampaignPlan): CampaignSample => {
  if (plan.action === 'needs-admin') {
    return { username: record.username, outcome: 'needs-admin', reason: plan.reason };
  }
  const preview = {
    username: record.username,
    targetUsername: plan.targetUsername,
    attributeNames: Object.keys(plan.attributes).sort(),
    groups: record.groups,
  };
  return plan.action === 'reset'
    ? { ...preview, outcome: 'would-reset', disabled: false }
    : { ...preview, outcome: 'needs-admin', reason: DISABLED_IN_SOURCE, disabled: true };
};
