import {
  ADMIN_REFERRABLE,
  ALLOWED_TRANSITIONS,
  AWAITING_MIGRATION,
  CAMPAIGN_ELIGIBLE,
  canTransition,
  DELETABLE,
  IN_TARGET,
  MIGRATABLE,
  MIGRATION_STATUSES,
  SCOPE_LEAVERS,
  STRAGGLERS,
  type MigrationStatus,
} from '#shared/table/status';

const mayBecome = (to: MigrationStatus) => MIGRATION_STATUSES.filter((from) => canTransition(from, to));

describe('status groups', () => {
  it('MIGRATABLE is exactly the statuses a sign-in may still move to MIGRATED', () => {
    expect([...MIGRATABLE].sort()).toEqual(mayBecome('MIGRATED').sort());
  });

  it('AWAITING_MIGRATION is MIGRATABLE without OUT_OF_SCOPE, whose sign-in keys are not ours to guard', () => {
    expect([...AWAITING_MIGRATION].sort()).toEqual(MIGRATABLE.filter((s) => s !== 'OUT_OF_SCOPE').sort());
  });

  it('SCOPE_LEAVERS is exactly the statuses that may become OUT_OF_SCOPE, none of them in the target', () => {
    expect([...SCOPE_LEAVERS].sort()).toEqual(mayBecome('OUT_OF_SCOPE').sort());
    expect(SCOPE_LEAVERS.filter((s) => IN_TARGET.includes(s))).toEqual([]);
  });

  it('DELETABLE is exactly the statuses that may become SOURCE_DELETED', () => {
    expect([...DELETABLE].sort()).toEqual(mayBecome('SOURCE_DELETED').sort());
  });

  it('ADMIN_REFERRABLE is exactly the statuses that may become NEEDS_ADMIN', () => {
    expect([...ADMIN_REFERRABLE].sort()).toEqual(mayBecome('NEEDS_ADMIN').sort());
  });

  it('lets stragglers be flagged and campaign users reach RESET_SENT or an admin', () => {
    for (const status of STRAGGLERS) expect(canTransition(status, 'FLAGGED_FOR_RESET')).toBe(true);
    for (const status of CAMPAIGN_ELIGIBLE) {
      expect(canTransition(status, 'RESET_SENT')).toBe(true);
      expect(canTransition(status, 'NEEDS_ADMIN')).toBe(true);
    }
  });

  it('counts no user awaiting migration as one who must exist in the target pool', () => {
    expect(
      IN_TARGET.filter((status) => AWAITING_MIGRATION.includes(status) && status !== 'RESET_SENT'),
    ).toEqual([]);
    expect(ALLOWED_TRANSITIONS.MIGRATED).toEqual([]);
  });
});
