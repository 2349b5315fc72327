import { planUser, sampleOf } from '../../../functions/reconcile/plan-user';
import type { UserRecord } from '#shared/table/users';
import { aSourceUser } from '../../support/users';
import { aConfig, aTargetSchema } from './fakes';

// aSourceUser's `attributes` override replaces its defaults, so tests spell out every attribute.
const aRecord = (overrides: Parameters<typeof aSourceUser>[0] = {}): UserRecord => ({
  ...aSourceUser(overrides),
  status: 'FLAGGED_FOR_RESET',
  groups: [],
});

describe('planUser', () => {
  it('maps attributes as the trigger does: no sub, the legacy sub, verified flags as-is', () => {
    const record = aRecord({
      username: 'ann',
      sub: 'a1b2',
      attributes: { sub: 'a1b2', email: 'ann@x.io', email_verified: 'true', name: 'Ann' },
    });

    const plan = planUser(record, aTargetSchema(), { config: aConfig() });

    expect(plan).toEqual({
      action: 'reset',
      targetUsername: 'ann',
      attributes: { email: 'ann@x.io', email_verified: 'true', name: 'Ann', 'custom:legacy_sub': 'a1b2' },
    });
  });

  it('sends a user with no verified email or phone to an administrator (no code could reach them)', () => {
    const record = aRecord({ attributes: { email_verified: 'false', phone_number: '+15550100' } });

    expect(planUser(record, aTargetSchema(), { config: aConfig() })).toEqual({
      action: 'needs-admin',
      reason: 'NO_VERIFIED_CONTACT',
    });
  });

  it('accepts a verified phone when the email is unverified', () => {
    const record = aRecord({
      attributes: { email_verified: 'false', phone_number: '+15550100', phone_number_verified: 'true' },
    });

    expect(planUser(record, aTargetSchema(), { config: aConfig() }).action).toBe('reset');
  });

  it.each([
    ['create-disabled', { action: 'create-disabled', targetUsername: 'dora' }],
    ['skip', { action: 'needs-admin', reason: 'SOURCE_USER_DISABLED' }],
  ] as const)(
    'plans a disabled source user per disabledUsers=%s, never a reset',
    (disabledUsers, expected) => {
      const record = aRecord({ username: 'dora', enabled: false });

      expect(planUser(record, aTargetSchema(), { config: aConfig({ disabledUsers }) })).toMatchObject(
        expected,
      );
    },
  );

  // A federated user signs in through the IdP and has no password; an UNCONFIRMED one never proved
  // the email is theirs. A reset code would give either a native password sign-in.
  it.each([
    ['EXTERNAL_PROVIDER', {}, 'FEDERATED_USER'],
    ['CONFIRMED', { identities: '[{"providerName":"Google","userId":"1"}]' }, 'FEDERATED_USER'],
    ['UNCONFIRMED', {}, 'SOURCE_UNCONFIRMED'],
    ['UNKNOWN', {}, 'SOURCE_STATUS_NOT_ELIGIBLE:UNKNOWN'],
  ])(
    'sends a source user in status %s (extra attributes %j) to an administrator despite a verified email',
    (userStatus, extra, reason) => {
      const record = aRecord({
        userStatus,
        attributes: { email: 'fed@x.io', email_verified: 'true', ...extra },
      });

      expect(planUser(record, aTargetSchema(), { config: aConfig() })).toEqual({
        action: 'needs-admin',
        reason,
      });
    },
  );

  it('resets a source user still on a temporary password when the email is verified', () => {
    const record = aRecord({
      userStatus: 'FORCE_CHANGE_PASSWORD',
      attributes: { email: 'temp@x.io', email_verified: 'true' },
    });

    expect(planUser(record, aTargetSchema(), { config: aConfig() })).toMatchObject({ action: 'reset' });
  });

  it('treats a federated user as federated even when also disabled and skipped', () => {
    const record = aRecord({ userStatus: 'EXTERNAL_PROVIDER', enabled: false });

    expect(planUser(record, aTargetSchema(), { config: aConfig({ disabledUsers: 'skip' }) })).toEqual({
      action: 'needs-admin',
      reason: 'FEDERATED_USER',
    });
  });

  it.each(['CONFIRMED', 'RESET_REQUIRED'])('resets a source user in status %s', (userStatus) => {
    const record = aRecord({ userStatus });

    expect(planUser(record, aTargetSchema(), { config: aConfig() }).action).toBe('reset');
  });

  it('uses the email as the username in an email-as-username target pool', () => {
    const record = aRecord({ username: 'ann', attributes: { email: 'ann@x.io', email_verified: 'true' } });

    const plan = planUser(record, aTargetSchema({ usernameAttributes: ['email'] }), { config: aConfig() });

    expect(plan).toMatchObject({ action: 'reset', targetUsername: 'ann@x.io' });
  });
});

describe('sampleOf', () => {
  it('previews a disabled source user as created disabled but needing an administrator, not a reset', () => {
    const record = { ...aRecord({ username: 'dora', enabled: false }), groups: ['staff'] };

    const sample = sampleOf(record, planUser(record, aTargetSchema(), { config: aConfig() }));

    expect(sample).toMatchObject({
      username: 'dora',
      outcome: 'needs-admin',
      reason: 'DISABLED_IN_SOURCE',
      disabled: true,
      targetUsername: 'dora',
      groups: ['staff'],
    });
  });
});
