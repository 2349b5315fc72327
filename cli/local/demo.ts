import { systemClock } from '#shared/clock';
import { IN_TARGET, MIGRATION_STATUSES, UNTOUCHED, type MigrationStatus } from '#shared/table/status';
import { getProgress } from '#shared/table/progress';
import { listUsersByStatus, type UserRecord } from '#shared/table/users';
import type { TableContext } from '#shared/table/context';
import { scanUserRecords } from '#shared/table/sweep';
import type { CampaignReport, ReconcileReport } from '../../functions/reconcile/report';
import { preflight } from '../commands/preflight';
import { startSeededStack } from './start';
import { newTotpSecret } from '#local/cognito/totp';
import type { SeededUser } from '#local/seed';
import { reenrolTotpUser, type ReenrolReport } from './demo-mfa-reenrol';
import { completeResets, playSignIns, type SignInResult } from './demo-sign-ins';
import { checkScope, demoTenants, type ScopeReport } from './demo-scope';
import { checkSubMap, targetSubs, type SubMapCheck } from './demo-sub-map';
import { listPoolUsers } from './pool-users';
import type { Output } from '../output';

export interface DemoOptions {
  users: number;
  seed: number;
  /** The share of users who come to sign in during the window. @default 0.5 */
  signInShare?: number;
  /**
   * The demo's account has its Cognito quotas raised by this factor, so 10,000 users finish in
   * a minute; `npm run bench` measures the pace at AWS's default quotas. @default 50
   */
  accountQuotaScale?: number;
  /** Run the cloud assembly's bundled functions (see StartOptions.artifacts). @default the sources */
  artifacts?: string | boolean;
  /**
   * Split a two-tenant source: seed `custom:tenant` = this tenant | another one, and migrate only
   * this tenant (migrationScope). @default one target for every user
   */
  tenant?: string;
}

export interface PhaseReport {
  name: string;
  seconds: number;
  items: number;
  perSecond: number;
}

export interface Invariant {
  name: string;
  ok: boolean;
  detail?: string;
}

export interface DemoReport {
  ok: boolean;
  users: number;
  seed: number;
  /** Every source user exactly once, by final status. */
  outcomes: Record<MigrationStatus, number>;
  /** MIGRATED users by how they got there. */
  migratedBy: Record<string, number>;
  signIns: Record<string, number>;
  preflight: { blockers: number; warnings: number; codes: string[] };
  campaign: CampaignReport['counts'];
  phases: PhaseReport[];
  invariants: Invariant[];
  /** One user with TOTP in the source, re-enrolling an authenticator after the migration. */
  totpReenrol?: ReenrolReport;
  /** With `tenant`: how the split went. */
  scope?: ScopeReport;
  /** The sub map and the UserMigrated events, checked against the target pool. */
  subMap?: Omit<SubMapCheck, 'invariants'>;
}

/** Times a phase and records its rate. */
const phase = async <T>(
  phases: PhaseReport[],
  output: Output,
  name: string,
  work: () => Promise<T>,
  count: (result: T) => number,
): Promise<T> => {
  const started = Date.now();
  const result = await work();
  const seconds = (Date.now() - started) / 1000;
  const items = count(result);
  const report = {
    name,
    seconds,
    items,
    perSecond: Math.round((items / Math.max(seconds, 0.001)) * 10) / 10,
  };
  phases.push(report);
  output.line(
    `${name.padEnd(16)} ${String(items).padStart(7)} in ${seconds.toFixed(1)} s (${report.perSecond}/s)`,
  );
  return result;
};

const tally = (values: readonly string[]) => {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
};

/**
 * The whole migration on one machine: embedded stack, seeded source, preflight, bulk sync, a
 * window of sign-ins through the target pool, the window closing, reconcile, the reset
 * campaign, and a report whose invariants say whether every user was accounted for.
 */
export const runDemo = async (options: DemoOptions, output: Output): Promise<DemoReport> => {
  const phases: PhaseReport[] = [];
  const split = options.tenant ? demoTenants(options.tenant) : undefined;
  const bar = output.progress('seeding', options.users);
  const { stack, users } = await phase(
    phases,
    output,
    'stack + seed',
    () =>
      startSeededStack(
        {
          users: options.users,
          seed: options.seed,
          accountQuotaScale: options.accountQuotaScale ?? 50,
          ...(options.artifacts ? { artifacts: options.artifacts } : {}),
          ...(split
            ? { seedTenants: split.tenants, migrationSettings: { migrationScope: split.scope } }
            : {}),
        },
        (done) => bar.update(done),
      ),
    (r) => r.users.length,
  );
  bar.stop();
  try {
    const { state, config, functions, emulator, cognito } = stack;
    const table = {
      doc: functions.reconcileDeps().table.doc,
      tableName: state.tableName,
      clock: systemClock,
    };
    const connection = { config, table, source: cognito, target: cognito, close: () => undefined };
    const check = await phase(
      phases,
      output,
      'preflight',
      () => preflight(connection, { scan: true }),
      () => 2,
    );
    // One confirmed user with groups gets TOTP in the source, to show the way back in that an
    // app must offer such users (the seed's own TOTP users are rare in a small demo).
    const ours = split ? users.filter((u) => split.scope.values.includes(u.tenant)) : users;
    const totpUser = ours.find(
      (u) => u.kind === 'confirmed' && u.emailVerified && u.mfa === 'none' && u.groups.length > 0,
    );
    if (totpUser) enableSourceTotp(emulator, state.source.userPoolId, totpUser);
    const sync = await phase(
      phases,
      output,
      'bulk sync',
      () => functions.bulkSync({ maxConcurrency: 8 }),
      (r) => Number((r.output as { users?: number } | undefined)?.users ?? 0),
    );
    const signIns: SignInResult[] = await phase(
      phases,
      output,
      'sign-ins',
      () =>
        playSignIns(
          {
            client: cognito,
            outbox: emulator.outbox,
            targetPoolId: state.target.userPoolId,
            clientId: state.target.clientId,
          },
          users.filter((u) => u !== totpUser),
          { share: options.signInShare ?? 0.5, seed: options.seed },
        ),
      (r) => r.length,
    );
    await functions.idle();
    const signInContext = {
      client: cognito,
      outbox: emulator.outbox,
      targetPoolId: state.target.userPoolId,
      clientId: state.target.clientId,
    };
    const totpReenrol = totpUser
      ? await phase(
          phases,
          output,
          'totp re-enrol',
          () => reenrolTotpUser(signInContext, totpUser),
          () => 1,
        )
      : undefined;
    await functions.idle();
    if (totpReenrol)
      signIns.push({ username: totpReenrol.username, scenario: 'forgot-password', result: 'tokens' });
    // The window closes: the reconcile function runs as after migrationWindowEnd.
    const reconciled = (await phase(
      phases,
      output,
      'reconcile',
      () => functions.reconcile({ action: 'reconcile' }, { windowClosed: true }),
      (r) => (r as ReconcileReport).flag?.flagged.length ?? 0,
    )) as ReconcileReport;
    const campaign = (await phase(
      phases,
      output,
      'reset campaign',
      () => functions.reconcile({ action: 'reset-campaign' }, { windowClosed: true }),
      (r) => (r as CampaignReport).counts['reset-sent'],
    )) as CampaignReport;
    const records = await allRecords(table);
    const targetUsers = await listPoolUsers(cognito, state.target.userPoolId);
    // Last: completing a reset changes the target user (RESET_REQUIRED → CONFIRMED).
    const deadCodes = await completeResets(
      {
        client: cognito,
        outbox: emulator.outbox,
        targetPoolId: state.target.userPoolId,
        clientId: state.target.clientId,
      },
      records.filter((r) => r.status === 'RESET_SENT').map((r) => r.targetUsername ?? r.username),
    );
    const invariants = checkInvariants({
      seeded: ours.map((u) => u.username),
      records,
      counters: (await getProgress(table)).byStatus,
      signIns,
      targetUsers: targetUsers.map((u) => u.Username ?? ''),
      resetCodeFor: (username) =>
        emulator.outbox.latestCode(state.target.userPoolId, username, 'reset') !== undefined,
      syncSucceeded: sync.status === 'SUCCEEDED' && reconciled.flag !== undefined,
      deadCodes,
    });
    if (totpUser && totpReenrol) invariants.push(totpInvariant(totpUser, totpReenrol));
    await functions.idle();
    const { invariants: subMapInvariants, ...subMap } = await checkSubMap({
      table,
      records: await allRecords(table),
      target: targetSubs(targetUsers),
      events: stack.eventBridge.events,
    });
    invariants.push(...subMapInvariants);
    output.line(`events           ${subMap.events} UserMigrated for ${subMap.migrated} migrated user(s)`);
    // Last: its sign-up probe adds a user to the target.
    const scoped = split
      ? await checkScope(signInContext, {
          scope: split.scope,
          seeded: users,
          signIns,
          records,
          targetUsers,
          countedBySync: Number((sync.output as { outOfScope?: number } | undefined)?.outOfScope ?? -1),
          seed: options.seed,
        })
      : undefined;
    if (scoped) invariants.push(...scoped.invariants);
    return {
      ok: invariants.every((i) => i.ok),
      users: users.length,
      seed: options.seed,
      outcomes: Object.fromEntries(
        MIGRATION_STATUSES.map((s) => [s, records.filter((r) => r.status === s).length]),
      ) as Record<MigrationStatus, number>,
      migratedBy: tally(records.filter((r) => r.status === 'MIGRATED').map((r) => r.method ?? 'unknown')),
      signIns: tally(signIns.map((s) => `${s.scenario}:${s.result}`)),
      preflight: {
        blockers: check.blockers,
        warnings: check.warnings,
        codes: check.findings.map((f) => `${f.level}:${f.code}`),
      },
      campaign: campaign.counts,
      phases,
      invariants,
      ...(totpReenrol ? { totpReenrol } : {}),
      ...(scoped ? { scope: scoped.report } : {}),
      subMap,
    };
  } finally {
    await stack.close();
  }
};

const enableSourceTotp = (
  emulator: { store: { pool(id: string): { users: Map<string, { mfa: object }> } } },
  poolId: string,
  user: SeededUser,
) => {
  const record = emulator.store.pool(poolId).users.get(user.username);
  if (!record) return;
  record.mfa = { sms: false, totp: true, preferred: 'SOFTWARE_TOKEN_MFA', totpSecret: newTotpSecret() };
  user.mfa = 'totp';
};

/** The TOTP user had no group and the enrolment claim on the password alone, and every group after. */
const totpInvariant = (user: SeededUser, report: ReenrolReport): Invariant => {
  const { passwordOnly, afterEnrolment } = report;
  const groupsBack =
    [...afterEnrolment.groups].sort().join(',') === [...new Set(user.groups)].sort().join(',');
  const ok =
    passwordOnly.enrolmentRequired &&
    passwordOnly.groups.length === 0 &&
    afterEnrolment.challenge === 'SOFTWARE_TOKEN_MFA' &&
    !afterEnrolment.enrolmentRequired &&
    groupsBack;
  return {
    name: 'a migrated TOTP user holds no group on the password alone, all after re-enrolling',
    ok,
    ...(ok ? {} : { detail: JSON.stringify(report) }),
  };
};

/**
 * Every user record the status index lists, status by status: a user listed twice (under two
 * statuses) comes twice, as the invariants expect. The whole records come from one consistent
 * Scan of the table, joined by username, rather than a GetItem per listed user (10,000 requests);
 * nothing writes the table any more at this point, so both reads see the same state.
 */
const allRecords = async (table: TableContext): Promise<UserRecord[]> => {
  const items = await scanUserRecords(table);
  const records: UserRecord[] = [];
  for (const status of MIGRATION_STATUSES) {
    let nextToken: string | undefined;
    do {
      const page = await listUsersByStatus(table, status, {
        limit: 1000,
        ...(nextToken ? { nextToken } : {}),
      });
      for (const entry of page.users) {
        const record = items.get(entry.username);
        if (record) records.push(record);
      }
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return records;
};

export interface InvariantInput {
  seeded: string[];
  records: UserRecord[];
  counters: Record<MigrationStatus, number>;
  signIns: SignInResult[];
  targetUsers: string[];
  resetCodeFor: (username: string) => boolean;
  syncSucceeded: boolean;
  /** RESET_SENT users whose last code did not let them set a password and sign in (completeResets). */
  deadCodes?: string[];
}

/** The demo's claims, each checked against the table, the target pool and the outbox. */
export const checkInvariants = (input: InvariantInput): Invariant[] => {
  // Maps and sets throughout: each check covers every user, so a scan per user would be quadratic.
  const byName = new Map<string, UserRecord[]>();
  for (const record of input.records) {
    const same = byName.get(record.username);
    if (same) same.push(record);
    else byName.set(record.username, [record]);
  }
  const seeded = new Set(input.seeded);
  const missing = input.seeded.filter((u) => !byName.has(u));
  const twice = [...byName].filter(([, r]) => r.length > 1).map(([u]) => u);
  const extra = [...byName.keys()].filter((u) => !seeded.has(u));
  const statusOf = (u: string) => byName.get(u)?.[0]?.status;
  const perStatus = tally(input.records.map((r) => r.status));
  const counted = MIGRATION_STATUSES.filter((s) => input.counters[s] !== (perStatus[s] ?? 0));
  const signedIn = input.signIns.filter((s) => s.result === 'tokens').map((s) => s.username);
  const notMigrated = signedIn.filter((u) => statusOf(u) !== 'MIGRATED');
  const unfinished = input.records.filter((r) => UNTOUCHED.includes(r.status));
  const resetWithoutCode = input.records.filter(
    (r) => r.status === 'RESET_SENT' && !input.resetCodeFor(r.targetUsername ?? r.username),
  );
  const inTarget = new Set(input.targetUsers.map((u) => u.toLowerCase()));
  const shouldExist = input.records.filter((r) => IN_TARGET.includes(r.status));
  const absent = shouldExist.filter((r) => !inTarget.has((r.targetUsername ?? r.username).toLowerCase()));
  const list = (names: string[]) =>
    names.length ? `${names.length}: ${names.slice(0, 5).join(', ')}` : undefined;
  const invariant = (name: string, bad: string[]): Invariant => ({
    name,
    ok: bad.length === 0,
    ...(list(bad) ? { detail: list(bad) } : {}),
  });
  return [
    { name: 'bulk sync succeeded and the window closed', ok: input.syncSucceeded },
    invariant('every source user has a record', missing),
    invariant('no source user is recorded twice', twice),
    invariant('no record without a source user', extra),
    invariant('the counters equal the per-status counts', counted),
    invariant('everyone who signed in is MIGRATED', notMigrated),
    invariant(
      'nobody is left PENDING or FLAGGED_FOR_RESET',
      unfinished.map((r) => r.username),
    ),
    invariant(
      'every RESET_SENT user was sent a reset code',
      resetWithoutCode.map((r) => r.username),
    ),
    invariant(
      'every RESET_SENT user can complete the reset with the code they were sent',
      input.deadCodes ?? [],
    ),
    invariant(
      'every MIGRATED and RESET_SENT user exists in the target',
      absent.map((r) => r.username),
    ),
    invariant(
      'the target holds no user the table does not account for',
      input.targetUsers.length >
        shouldExist.length + input.records.filter((r) => r.status === 'NEEDS_ADMIN').length
        ? ['extra target users']
        : [],
    ),
  ];
};
