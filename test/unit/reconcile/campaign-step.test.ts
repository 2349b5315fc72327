import { MARKER_GRACE_MS, nextStep, type StepInput } from '../../../functions/reconcile/campaign-step';

const NOW = Date.UTC(2026, 11, 2);
const recent = new Date(NOW - 1000).toISOString();
const old = new Date(NOW - MARKER_GRACE_MS - 1000).toISOString();
const plan = { action: 'reset', targetUsername: 'ann', attributes: {} } as const;
const target = (status: string, enabled = true) => ({ username: 'ann', attributes: {}, status, enabled });

const input = (overrides: Partial<StepInput>): StepInput => ({
  markers: {},
  target: null,
  plan,
  sameUser: true,
  groupsDone: true,
  now: NOW,
  ...overrides,
});

describe('nextStep', () => {
  it.each<[string, Partial<StepInput>, ReturnType<typeof nextStep>]>([
    ['no marker, nobody in the target', {}, { step: 'claim-create' }],
    [
      'create requested, nobody in the target',
      { markers: { createRequestedAt: recent } },
      { step: 'create' },
    ],
    [
      'created (by any campaign), no password yet',
      { markers: { createRequestedAt: recent }, target: target('FORCE_CHANGE_PASSWORD') },
      { step: 'claim-password' },
    ],
    [
      'another campaign is setting the password',
      {
        markers: { createRequestedAt: recent, passwordSetRequestedAt: recent },
        target: target('FORCE_CHANGE_PASSWORD'),
      },
      { step: 'wait' },
    ],
    [
      'the password setter stopped long ago',
      {
        markers: { createRequestedAt: old, passwordSetRequestedAt: old },
        target: target('FORCE_CHANGE_PASSWORD'),
      },
      { step: 'claim-password', replacing: old },
    ],
    [
      'password set, groups pending',
      {
        markers: { createRequestedAt: recent, passwordSetRequestedAt: recent },
        target: target('CONFIRMED'),
        groupsDone: false,
      },
      { step: 'groups' },
    ],
    [
      'password set, groups done',
      { markers: { createRequestedAt: recent, passwordSetRequestedAt: recent }, target: target('CONFIRMED') },
      { step: 'claim-reset' },
    ],
    [
      'reset requested and the target is RESET_REQUIRED (the code went out)',
      { markers: { createRequestedAt: old, resetRequestedAt: recent }, target: target('RESET_REQUIRED') },
      { step: 'reset-sent', reason: 'RESUMED' },
    ],
    [
      'reset requested by a campaign still calling',
      { markers: { createRequestedAt: old, resetRequestedAt: recent }, target: target('CONFIRMED') },
      { step: 'wait' },
    ],
    [
      'reset requested long ago, target not RESET_REQUIRED',
      { markers: { createRequestedAt: old, resetRequestedAt: old }, target: target('CONFIRMED') },
      { step: 'needs-admin', reason: 'RESET_UNCONFIRMED' },
    ],
    [
      'CONFIRMED without the campaign having set a password (a sign-in)',
      { markers: { createRequestedAt: recent }, target: target('CONFIRMED') },
      { step: 'existing' },
    ],
    [
      'RESET_REQUIRED without a reset of ours (the forgot-password migration)',
      { markers: { createRequestedAt: recent }, target: target('RESET_REQUIRED') },
      { step: 'existing' },
    ],
    [
      'a user in the target before any marker of ours',
      { target: target('FORCE_CHANGE_PASSWORD') },
      { step: 'existing' },
    ],
    [
      'another user under the same name',
      { markers: { createRequestedAt: recent }, target: target('FORCE_CHANGE_PASSWORD'), sameUser: false },
      { step: 'existing' },
    ],
  ])('%s', (_case, overrides, expected) => {
    expect(nextStep(input(overrides))).toEqual(expected);
  });

  it('never sets a password once a reset was requested, whatever the target says', () => {
    const statuses = ['FORCE_CHANGE_PASSWORD', 'CONFIRMED', 'RESET_REQUIRED'];
    const steps = [recent, old].flatMap((at) =>
      statuses.map(
        (status) =>
          nextStep(
            input({
              markers: { createRequestedAt: at, passwordSetRequestedAt: at, resetRequestedAt: at },
              target: target(status),
            }),
          ).step,
      ),
    );

    expect(steps).not.toContain('claim-password');
    expect(steps).not.toContain('claim-reset');
  });

  it('disables a disabled source user before setting the password, and refers them to an administrator', () => {
    const disabled = { ...plan, action: 'create-disabled' } as const;
    const created = { createRequestedAt: recent };
    const prepared = { ...created, passwordSetRequestedAt: recent };

    expect(
      nextStep(input({ plan: disabled, markers: created, target: target('FORCE_CHANGE_PASSWORD') })),
    ).toEqual({ step: 'disable' });
    expect(
      nextStep(input({ plan: disabled, markers: prepared, target: target('CONFIRMED', false) })),
    ).toEqual({
      step: 'needs-admin',
      reason: 'DISABLED_IN_SOURCE',
    });
  });
});
