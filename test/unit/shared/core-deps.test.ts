import { ManualClock } from '#shared/clock';
import { createCoreDeps } from '#shared/core-deps';
import { silentLogger } from '#shared/logger';
import { aConfig } from '../../support/config';

const LIMITER = 'cognitoRateLimiter';
const hasLimiter = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().some((entry) => entry.startsWith(LIMITER));

describe('createCoreDeps', () => {
  it('passes on the configuration, clock and logger and a table context for the configured table', () => {
    const config = aConfig({ tableName: 'migration-core' });
    const clock = new ManualClock();

    const { core } = createCoreDeps(config, clock, { service: 'reconcile', logger: silentLogger });

    expect(core.config).toBe(config);
    expect(core.clock).toBe(clock);
    expect(core.logger).toBe(silentLogger);
    expect(core.table).toMatchObject({ tableName: 'migration-core', clock });
  });

  it('builds source and target clients that each carry a rate limiter', () => {
    const { sourceClient, targetClient } = createCoreDeps(aConfig(), new ManualClock(), {
      service: 'reconcile',
    });

    expect(hasLimiter(sourceClient())).toBe(true);
    expect(hasLimiter(targetClient())).toBe(true);
  });

  it('gives every limiter its own buckets, at 1/workers of the share', () => {
    const { limiter } = createCoreDeps(aConfig({ quotaShare: 0.5 }), new ManualClock(), {
      service: 'bulk-export',
    });

    const whole = limiter();
    const quarter = limiter(4);

    expect(whole).not.toBe(limiter());
    expect(whole.rate('UserList')).toBe(15);
    expect(quarter.rate('UserList')).toBe(15 / 4);
  });
});
