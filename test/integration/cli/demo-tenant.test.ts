import { runCli } from '../../../cli/index';
import type { DemoReport } from '../../../cli/local/demo';
import { testDeps } from './cli-harness';

/**
 * The rehearsal: a two-tenant source (custom:tenant = acme | globex) into a target scoped
 * to acme, through the whole embedded stack (bulk sync, sign-ins, window end, reconcile, campaign).
 */
describe('demo --tenant acme (a two-tenant source split into a one-tenant target)', () => {
  let report: DemoReport;
  let code: number;

  beforeAll(async () => {
    const deps = testDeps();
    code = await runCli(['--json', 'demo', '--users', '120', '--tenant', 'acme'], deps);
    report = deps.stdout.lastJson<DemoReport>();
  }, 120_000);

  it('holds every invariant, the split ones included', () => {
    expect(report.invariants.filter((i) => !i.ok)).toEqual([]);
    expect(report.invariants.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        'no out-of-scope user has a record',
        'no out-of-scope user is in the target',
        'every out-of-scope sign-in was answered as an unknown user is',
        'an out-of-scope user can sign up fresh in the target',
      ]),
    );
    expect(code).toBe(0);
  });

  it('snapshots only acme and counts every globex user out of scope', () => {
    expect(report.scope).toMatchObject({
      scope: 'custom:tenant = acme',
      inScope: 60,
      outOfScope: 60,
      countedBySync: 60,
    });
    const recorded = Object.values(report.outcomes).reduce((a, b) => a + b, 0);
    expect(recorded).toBe(60);
  });

  it('migrates acme users at sign-in, and reconcile and the campaign reach acme users only', () => {
    expect(report.migratedBy.password).toBeGreaterThan(0);
    expect(report.scope?.inTarget).toBe(0);
    expect(report.campaign['reset-sent']).toBeGreaterThan(0);
    expect(report.outcomes.OUT_OF_SCOPE).toBe(0);
  });

  it('answers every globex sign-in and reset as an unknown user, and lets globex sign up fresh', () => {
    expect(report.scope?.signIns.tried).toBeGreaterThan(0);
    expect(report.scope?.signIns.answeredAsUnknown).toBe(report.scope?.signIns.tried);
    expect(report.scope?.signUp).toBe('allowed');
  });
});
