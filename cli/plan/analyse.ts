import type { MigrationConfig } from '#shared/config';
import type { Finding } from '../preflight-checks';
import {
  estimateBulkSync,
  estimateCampaign,
  estimateCost,
  type CostEstimate,
  type PhaseEstimate,
  type Population,
} from './estimate';
import { findCollisions, type Collision } from './collisions';
import type { ScannedUser, SourceScan } from './scan';

export interface PlanReport {
  ok: boolean;
  blockers: number;
  warnings: number;
  sourcePoolId: string;
  /** With a migration scope: how many source users it takes and leaves out (absent without one). */
  scope?: { attribute: string; values: string[]; inScope: number; outOfScope: number };
  /** The users this target takes (every source user without a scope). */
  population: {
    users: number;
    byStatus: Record<string, number>;
    enabled: number;
    disabled: number;
    byMfa: Record<string, number>;
    verifiedContacts: { email: number; phone: number; both: number; none: number };
  };
  collisions: Collision[];
  campaign: {
    /** Would be created and sent a reset code. */
    reachable: number;
    /** Eligible but without a verified email or phone: no code can reach them. */
    unreachable: string[];
    /** Left to a person, by reason: federated, unconfirmed, other statuses, disabled. */
    leaveToPerson: Record<string, string[]>;
  };
  groups: {
    count: number;
    memberships: number;
    usersInGroups: number;
    largest: { name: string; members: number }[];
  };
  estimates: {
    quotaShare: number;
    bulkSync: PhaseEstimate;
    campaign: PhaseEstimate;
    cost: CostEstimate;
  };
  findings: Finding[];
  /** Calls made to the source, by operation (all reads). */
  sourceCalls: Record<string, number>;
}

const ELIGIBLE = new Set(['CONFIRMED', 'RESET_REQUIRED', 'FORCE_CHANGE_PASSWORD']);

const count = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
};

/** Who the end-of-window campaign reaches, and who it must leave to a person (as planUser decides). */
const campaignView = (users: readonly ScannedUser[], config: Pick<MigrationConfig, 'disabledUsers'>) => {
  const leaveToPerson: Record<string, string[]> = {};
  const unreachable: string[] = [];
  const leave = (reason: string, user: ScannedUser) => (leaveToPerson[reason] ??= []).push(user.username);
  let reachable = 0;
  let disabledCreated = 0;
  let memberships = 0;
  for (const user of users) {
    if (user.federated) leave('FEDERATED_USER', user);
    else if (user.status === 'UNCONFIRMED') leave('SOURCE_UNCONFIRMED', user);
    else if (!ELIGIBLE.has(user.status)) leave(`SOURCE_STATUS_NOT_ELIGIBLE:${user.status}`, user);
    else if (!user.enabled && config.disabledUsers === 'skip') leave('SOURCE_USER_DISABLED', user);
    else if (!user.enabled) {
      // Created disabled with their groups; an administrator decides whether to enable them.
      leave('DISABLED_IN_SOURCE', user);
      disabledCreated += 1;
      memberships += user.groups.length;
    } else if (!(user.email && user.emailVerified) && !(user.phone && user.phoneVerified))
      unreachable.push(user.username);
    else {
      reachable += 1;
      memberships += user.groups.length;
    }
  }
  return { reachable, unreachable, leaveToPerson, disabledCreated, memberships };
};

const findingsOf = (
  collisions: readonly Collision[],
  campaign: ReturnType<typeof campaignView>,
  bulkSync: PhaseEstimate,
  users: readonly ScannedUser[],
): Finding[] => {
  const findings: Finding[] = [];
  const ambiguous = collisions.filter((c) => c.kind !== 'unverified-duplicate');
  if (ambiguous.length > 0)
    findings.push({
      level: 'BLOCKER',
      code: 'AMBIGUOUS_LOGIN_KEYS',
      message: `${ambiguous.length} login key(s) belong to several source users, e.g. ${ambiguous
        .slice(0, 5)
        .map((c) => `${c.key} (${c.users.join(', ')})`)
        .join('; ')}`,
      fix: 'make each key belong to one user in the source (rename, unverify or delete); until then those users are refused (AMBIGUOUS_USER)',
    });
  const duplicates = collisions.length - ambiguous.length;
  if (duplicates > 0)
    findings.push({
      level: 'WARNING',
      code: 'UNVERIFIED_DUPLICATE_EMAILS',
      message: `${duplicates} email(s) are shared by several users without being verified by more than one`,
      fix: 'they sign no one in today; verifying a second owner would make the key ambiguous',
    });
  if (campaign.unreachable.length > 0)
    findings.push({
      level: 'WARNING',
      code: 'UNREACHABLE_BY_CAMPAIGN',
      message: `${campaign.unreachable.length} user(s) have no verified email or phone: a reset code cannot reach them`,
      fix: 'ask them to sign in during the window (they migrate with their password), or verify a contact',
    });
  if (bulkSync.seconds > 24 * 3600)
    findings.push({
      level: 'WARNING',
      code: 'BULK_SYNC_OVER_24H',
      message: `The bulk sync would take ${Math.round(bulkSync.seconds / 3600)} h at this quota share, longer than the state machine's 24 h timeout`,
      fix: 'raise quotaShare for UserList, ask AWS for a higher UserList quota, or resume the run (sync start --resume)',
    });
  const mfaUnknown = users.filter((u) => u.mfa === 'unknown').length;
  if (mfaUnknown > 0)
    findings.push({
      level: 'INFO',
      code: 'MFA_NOT_READ',
      message: `MFA factors of ${mfaUnknown} user(s) were not read (--no-mfa-detail)`,
      fix: 'run plan without --no-mfa-detail to count SMS and TOTP users (one AdminGetUser per user)',
    });
  return findings;
};

/** Everything `plan` reports, from one read of the source. Pure. */
export const analysePlan = (
  scan: SourceScan,
  sourcePoolId: string,
  config: Pick<
    MigrationConfig,
    'quotaShare' | 'quotaShareByCategory' | 'accountQuotas' | 'disabledUsers' | 'migrationScope'
  >,
): PlanReport => {
  // The bulk sync lists every source user (ListUsers cannot filter on custom attributes); all
  // else — population, collisions, campaign — concerns the users in scope only.
  const users = scan.users.filter((u) => !u.outOfScope);
  const outOfScope = scan.users.length - users.length;
  const campaign = campaignView(users, config);
  const memberships = scan.groups.reduce((sum, g) => sum + g.members, 0);
  const population: Population = {
    users: scan.users.length,
    groups: scan.groups.length,
    memberships,
    campaignResets: campaign.reachable,
    campaignDisabled: campaign.disabledCreated,
    campaignMemberships: campaign.memberships,
    lazyCandidates: users.filter((u) => u.enabled && !u.federated && ELIGIBLE.has(u.status)).length,
  };
  const bulkSync = estimateBulkSync(population, config);
  const campaignEstimate = estimateCampaign(population, config);
  const collisions = findCollisions(users);
  const findings = findingsOf(collisions, campaign, bulkSync, users);
  const blockers = findings.filter((f) => f.level === 'BLOCKER').length;
  const email = (u: ScannedUser) => Boolean(u.email && u.emailVerified);
  const phone = (u: ScannedUser) => Boolean(u.phone && u.phoneVerified);
  return {
    ok: blockers === 0,
    blockers,
    warnings: findings.filter((f) => f.level === 'WARNING').length,
    sourcePoolId,
    ...(config.migrationScope
      ? {
          scope: {
            attribute: config.migrationScope.attribute,
            values: [...config.migrationScope.values],
            inScope: users.length,
            outOfScope,
          },
        }
      : {}),
    population: {
      users: users.length,
      byStatus: count(users, (u) => u.status),
      enabled: users.filter((u) => u.enabled).length,
      disabled: users.filter((u) => !u.enabled).length,
      byMfa: count(users, (u) => u.mfa),
      verifiedContacts: {
        email: users.filter((u) => email(u) && !phone(u)).length,
        phone: users.filter((u) => phone(u) && !email(u)).length,
        both: users.filter((u) => email(u) && phone(u)).length,
        none: users.filter((u) => !email(u) && !phone(u)).length,
      },
    },
    collisions,
    campaign: {
      reachable: campaign.reachable,
      unreachable: campaign.unreachable,
      leaveToPerson: campaign.leaveToPerson,
    },
    groups: {
      count: scan.groups.length,
      memberships,
      usersInGroups: users.filter((u) => u.groups.length > 0).length,
      largest: [...scan.groups].sort((a, b) => b.members - a.members).slice(0, 5),
    },
    estimates: {
      quotaShare: config.quotaShare,
      bulkSync,
      campaign: campaignEstimate,
      cost: estimateCost(population, bulkSync, campaignEstimate),
    },
    findings,
    sourceCalls: scan.calls,
  };
};
