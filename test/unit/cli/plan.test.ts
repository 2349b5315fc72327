import { analysePlan } from '../../../cli/plan/analyse';
import { findCollisions } from '../../../cli/plan/collisions';
import { estimateBulkSync, estimateCampaign, rateFor } from '../../../cli/plan/estimate';
import type { ScannedUser, SourceScan } from '../../../cli/plan/scan';

const user = (username: string, overrides: Partial<ScannedUser> = {}): ScannedUser => ({
  username,
  status: 'CONFIRMED',
  enabled: true,
  email: `${username}@example.com`,
  emailVerified: true,
  phoneVerified: false,
  federated: false,
  mfa: 'none',
  groups: [],
  ...overrides,
});

const config = {
  quotaShare: 0.5,
  quotaShareByCategory: {},
  accountQuotas: {},
  disabledUsers: 'create-disabled' as const,
};

const scan = (users: ScannedUser[], groups: SourceScan['groups'] = []): SourceScan => ({
  pool: { Id: 'us-east-1_pool' },
  users,
  groups,
  calls: { ListUsers: 1 },
});

describe('findCollisions', () => {
  it('names usernames that differ only in case as case variants', () => {
    expect(findCollisions([user('Ann', { email: 'a1@x.io' }), user('ann', { email: 'a2@x.io' })])).toEqual([
      { key: 'ann', kind: 'case-variants', users: ['Ann', 'ann'] },
    ]);
  });

  it("names a verified email that is another user's username", () => {
    expect(findCollisions([user('bo@x.io', { email: 'b1@x.io' }), user('cy', { email: 'BO@x.io' })])).toEqual(
      [{ key: 'bo@x.io', kind: 'email-is-another-username', users: ['bo@x.io', 'cy'] }],
    );
  });

  it('keeps unverified duplicates apart from sign-in collisions', () => {
    const found = findCollisions([
      user('a', { email: 'same@x.io', emailVerified: true }),
      user('b', { email: 'same@x.io', emailVerified: false }),
    ]);
    expect(found).toEqual([{ key: 'same@x.io', kind: 'unverified-duplicate', users: ['a', 'b'] }]);
  });
});

describe('analysePlan', () => {
  it('leaves federated, unconfirmed and disabled users to a person and lists users no code can reach', () => {
    const report = analysePlan(
      scan([
        user('fed', { federated: true, status: 'EXTERNAL_PROVIDER' }),
        user('new', { status: 'UNCONFIRMED' }),
        user('off', { enabled: false }),
        user('mute', { emailVerified: false }),
        user('ok'),
      ]),
      'us-east-1_pool',
      config,
    );
    expect(report.campaign).toEqual({
      reachable: 1,
      unreachable: ['mute'],
      leaveToPerson: { FEDERATED_USER: ['fed'], SOURCE_UNCONFIRMED: ['new'], DISABLED_IN_SOURCE: ['off'] },
    });
    expect(report.ok).toBe(true);
  });

  it('is a BLOCKER when a login key belongs to several users', () => {
    const report = analysePlan(scan([user('Ann'), user('ann')]), 'p', config);
    expect(report.findings[0]).toMatchObject({ level: 'BLOCKER', code: 'AMBIGUOUS_LOGIN_KEYS' });
    expect(report.ok).toBe(false);
  });
});

describe('estimates', () => {
  it('sizes a rate as the account quota times the share', () => {
    expect(rateFor(config, 'UserList')).toBe(15);
    expect(rateFor({ ...config, accountQuotas: { UserList: 100 } }, 'UserList')).toBe(50);
  });

  it('binds a large bulk sync on UserList: 600,000 users are 10,000 pages at 15 req/s', () => {
    const estimate = estimateBulkSync(
      {
        users: 600_000,
        groups: 0,
        memberships: 0,
        campaignResets: 0,
        campaignDisabled: 0,
        campaignMemberships: 0,
        lazyCandidates: 0,
      },
      config,
    );
    expect(estimate).toMatchObject({ binding: 'UserList', bindingRate: 15 });
    expect(estimate.seconds).toBeCloseTo(10_000 / 15, 5);
  });

  it('binds the campaign on UserUpdate when users have groups', () => {
    const estimate = estimateCampaign(
      {
        users: 1000,
        groups: 2,
        memberships: 2000,
        campaignResets: 1000,
        campaignDisabled: 0,
        campaignMemberships: 2000,
        lazyCandidates: 1000,
      },
      config,
    );
    expect(estimate.binding).toBe('UserUpdate');
    expect(estimate.seconds).toBeCloseTo(3000 / 12.5, 5);
  });
});
