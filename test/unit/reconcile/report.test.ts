import { buildCampaignReport } from '../../../functions/reconcile/report';

describe('buildCampaignReport', () => {
  it('counts every outcome and lists the users of each non-success outcome with their reason', () => {
    const report = buildCampaignReport(
      [
        { username: 'b', outcome: 'reset-sent' },
        { username: 'a', outcome: 'reset-sent', warning: 'GROUPS_INCOMPLETE:admins' },
        { username: 'c', outcome: 'needs-admin', reason: 'NO_VERIFIED_CONTACT' },
        { username: 'd', outcome: 'migrated', reason: 'SIGNED_IN' },
      ],
      { dryRun: false, startedAt: 't0', finishedAt: 't1', complete: true },
    );

    expect(report.counts).toEqual({
      'reset-sent': 2,
      migrated: 1,
      'needs-admin': 1,
      skipped: 0,
      'would-reset': 0,
    });
    expect(report.users).toEqual({
      'needs-admin': [{ username: 'c', reason: 'NO_VERIFIED_CONTACT' }],
      migrated: [{ username: 'd', reason: 'SIGNED_IN' }],
    });
    expect(report.warnings).toEqual([{ username: 'a', warning: 'GROUPS_INCOMPLETE:admins' }]);
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
