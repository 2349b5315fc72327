import type { PhaseEstimate } from './estimate';
import type { PlanReport } from './analyse';

const SAMPLE = 10;

const duration = (seconds: number): string =>
  seconds < 90
    ? `${Math.ceil(seconds)} s`
    : seconds < 5400
      ? `${Math.round(seconds / 60)} min`
      : `${(seconds / 3600).toFixed(1)} h`;

const money = (usd: number): string => (usd < 0.01 ? '< $0.01' : `$${usd.toFixed(2)}`);

const counts = (record: Record<string, number>): string =>
  Object.entries(record)
    .sort(([, a], [, b]) => b - a)
    .map(([key, n]) => `${key} ${n}`)
    .join(', ') || '(none)';

const sample = (names: readonly string[]): string =>
  names.length === 0 ? '' : `: ${names.slice(0, SAMPLE).join(', ')}${names.length > SAMPLE ? ', ...' : ''}`;

const phase = (label: string, estimate: PhaseEstimate): string =>
  `  ${label.padEnd(10)} ${duration(estimate.seconds).padStart(9)}` +
  (estimate.binding ? `  bound by ${estimate.binding} at ${estimate.bindingRate} req/s` : '');

/** The human table of `plan`. */
export const renderPlan = (report: PlanReport): string[] => {
  const { population: p, campaign, groups, estimates } = report;
  const { cost } = estimates;
  const scope = report.scope;
  return [
    scope
      ? `source pool ${report.sourcePoolId}: ${scope.inScope + scope.outOfScope} users, ${p.users} in scope (${scope.attribute} = ${scope.values.join(' | ')}), ${scope.outOfScope} out of scope`
      : `source pool ${report.sourcePoolId}: ${p.users} users`,
    `  status     ${counts(p.byStatus)}`,
    `  enabled    ${p.enabled} enabled, ${p.disabled} disabled`,
    `  MFA        ${counts(p.byMfa)}`,
    `  verified   email only ${p.verifiedContacts.email}, phone only ${p.verifiedContacts.phone}, both ${p.verifiedContacts.both}, none ${p.verifiedContacts.none}`,
    `groups: ${groups.count}, memberships ${groups.memberships}, users in a group ${groups.usersInGroups}` +
      (groups.largest.length
        ? ` (largest: ${groups.largest.map((g) => `${g.name} ${g.members}`).join(', ')})`
        : ''),
    `login keys shared by several users: ${report.collisions.length}`,
    ...report.collisions
      .slice(0, SAMPLE)
      .map((c) => `  ${c.kind.padEnd(26)} ${c.key}: ${c.users.join(', ')}`),
    `reset campaign (if nobody signed in): ${campaign.reachable} reachable, ${campaign.unreachable.length} without a verified contact${sample(campaign.unreachable)}`,
    ...Object.entries(campaign.leaveToPerson).map(
      ([reason, names]) => `  left to a person, ${reason}: ${names.length}${sample(names)}`,
    ),
    `estimates at quota share ${estimates.quotaShare}:`,
    phase('bulk sync', estimates.bulkSync),
    phase('campaign', estimates.campaign),
    `cost: ${money(cost.total)} (Lambda ${money(cost.lambda)}, Step Functions ${money(cost.stepFunctions)}, DynamoDB ${money(cost.dynamodb)}, source MAU ${cost.sourceMau} users ${money(cost.sourceMauCost)})`,
    ...cost.assumptions.map((a) => `  assumes ${a}`),
    ...report.findings.flatMap((f) => [
      `${f.level.padEnd(7)} ${f.code}: ${f.message}`,
      `        fix: ${f.fix}`,
    ]),
    '',
    report.ok
      ? `plan: no blockers, ${report.warnings} warning(s); nothing was written`
      : `plan: ${report.blockers} blocker(s), ${report.warnings} warning(s); nothing was written`,
  ];
};
