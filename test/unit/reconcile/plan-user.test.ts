import { planUser } from '../../../functions/reconcile/campaign-user';
import type { UserRecord } from '#shared/user-repository';
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
      disable: false,
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
    ['create-disabled', { action: 'reset', disable: true }],
    ['skip', { action: 'needs-admin', reason: 'SOURCE_USER_DISABLED' }],
  ] as const)('plans a disabled source user per disabledUsers=%s', (disabledUsers, expected) => {
    const record = aRecord({ enabled: false });

    expect(planUser(record, aTargetSchema(), { config: aConfig({ disabledUsers }) })).toMatchObject(expected);
  });

  it('uses the email as the username in an email-as-username target pool', () => {
    const record = aRecord({ username: 'ann', attributes: { email: 'ann@x.io', email_verified: 'true' } });

    const plan = planUser(record, aTargetSchema({ usernameAttributes: ['email'] }), { config: aConfig() });

    expect(plan).toMatchObject({ action: 'reset', targetUsername: 'ann@x.io' });
  });
});
