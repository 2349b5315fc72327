import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS } from '../../../infra/constructs/migration-dashboard';
import { ManualClock } from '#shared/clock';
import { throttleMetric } from '#shared/metrics';
import { createRateLimiter } from '#shared/rate-limiter';
import { powertoolsOutcomeMetrics } from '../../../functions/lazy-migrate/metrics';

/** The EMF documents Powertools writes to stdout for single metrics. */
const emitted = (act: (metrics: Metrics) => void): Record<string, unknown>[] => {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  });
  try {
    act(new Metrics({ namespace: METRICS.namespace, serviceName: 'lazy-migrate-fn' }));
  } finally {
    spy.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.includes('_aws'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
};

const dimensionsOf = (doc: Record<string, unknown>): string[] =>
  (
    (doc._aws as { CloudWatchMetrics: { Dimensions: string[][] }[] }).CloudWatchMetrics[0]?.Dimensions[0] ??
    []
  ).sort();

describe('powertoolsOutcomeMetrics', () => {
  it('emits a migration as the dashboard reads it: Migrations by Outcome and service', () => {
    const [count] = emitted((m) => powertoolsOutcomeMetrics(m).outcome('migrated', 'PASSWORD_VERIFIED', 120));

    expect(count).toMatchObject({ Migrations: 1, Outcome: 'PASSWORD_VERIFIED', service: 'lazy-migrate-fn' });
    expect(dimensionsOf(count!)).toEqual(['Outcome', 'service']);
  });

  it('emits a refusal as the dashboard and alarms read it: Refusals by Reason and service', () => {
    const [count] = emitted((m) => powertoolsOutcomeMetrics(m).outcome('refused', 'SOURCE_THROTTLED', 40));

    expect(count).toMatchObject({ Refusals: 1, Reason: 'SOURCE_THROTTLED', service: 'lazy-migrate-fn' });
    expect(dimensionsOf(count!)).toEqual(['Reason', 'service']);
  });
});

describe('throttleMetric', () => {
  it('emits Throttles by Category and by service alone, as the dashboard and the throttling alarm read them', () => {
    const docs = emitted((m) => throttleMetric(m)('UserList'));

    expect(docs.map(dimensionsOf)).toEqual([['Category', 'service'], ['service']]);
    expect(docs[0]).toMatchObject({ Throttles: 1, Category: 'UserList' });
    expect(docs[1]).toMatchObject({ Throttles: 1 });
  });

  it('is told of every throttle the rate limiter sees', () => {
    const seen: string[] = [];
    const limiter = createRateLimiter({
      config: { quotaShare: 0.5, quotaShareByCategory: {} },
      clock: new ManualClock(),
      onThrottle: (category) => seen.push(category),
    });

    limiter.throttled('UserUpdate');
    limiter.throttled('UserUpdate');

    expect(seen).toEqual(['UserUpdate', 'UserUpdate']);
  });
});
