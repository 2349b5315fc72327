import {
  AdminForgetDeviceCommand,
  CognitoIdentityProviderClient,
  CreateUserPoolCommand,
  ListUsersCommand,
  TooManyRequestsException,
  type CognitoIdentityProviderClientConfig,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { UnlistedCognitoOperationError } from '#shared/cognito/operations';
import { InvalidInputError } from '#shared/errors';
import { applyRateLimiter, createRateLimiter, unlimited, type RateLimiter } from '#shared/rate-limiter';

const config = { quotaShare: 0.5, quotaShareByCategory: {} };

/** Takes `count` tokens one at a time and returns the clock time at which each was granted. */
const takeSequentially = async (limiter: RateLimiter, clock: ManualClock, count: number) => {
  const grantedAt: number[] = [];
  for (let i = 0; i < count; i++) {
    await limiter.take('UserList');
    grantedAt.push(clock.now());
  }
  return grantedAt;
};

/**
 * Token-bucket conformance: between any two grants, at most one bucket (1 s of rate) plus what
 * the rate earns in the time between them. Grant times are sorted.
 */
const worstExcess = (grantedAt: number[], ratePerSecond: number): number => {
  let worst = -Infinity;
  for (let i = 0; i < grantedAt.length; i++) {
    for (let j = i; j < grantedAt.length; j++) {
      const allowed = ratePerSecond + (ratePerSecond * (grantedAt[j]! - grantedAt[i]!)) / 1000;
      worst = Math.max(worst, j - i + 1 - allowed);
    }
  }
  return worst;
};

describe('createRateLimiter', () => {
  it('sizes each bucket to the share of the default quota', () => {
    const limiter = createRateLimiter({
      config: { quotaShare: 0.5, quotaShareByCategory: { UserAuthentication: 0.25 } },
      clock: new ManualClock(),
    });

    expect(limiter.rate('UserList')).toBe(15);
    expect(limiter.rate('UserAuthentication')).toBe(30);
  });

  it('sizes buckets to raised quotas when given', () => {
    const limiter = createRateLimiter({ config, clock: new ManualClock(), quotas: { UserList: 100 } });

    expect(limiter.rate('UserList')).toBe(50);
    expect(limiter.rate('UserRead')).toBe(60);
  });

  it("sizes buckets to the account's raised quotas from the configuration", () => {
    const limiter = createRateLimiter({
      config: { ...config, accountQuotas: { UserUpdate: 250 } },
      clock: new ManualClock(),
    });

    expect(limiter.rate('UserUpdate')).toBe(125);
    expect(limiter.rate('UserCreation')).toBe(25);
  });

  it('gives each of N workers 1/N of the share', () => {
    const limiter = createRateLimiter({ config, clock: new ManualClock(), workers: 3 });

    expect(limiter.rate('UserList')).toBe(5);
  });

  it('runs 100 takes at share × quota in the long run', async () => {
    // Share 0.5 of UserList 30 = 15/s. The bucket starts full, so the first 15 are free and
    // the other 85 are paced at 15/s: 85/15 s = 5666.7 ms. Waits are whole milliseconds and
    // the rounding surplus stays in the bucket, so the total can be off by at most ~1 ms.
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const start = clock.now();

    const grantedAt = await takeSequentially(limiter, clock, 100);

    expect(grantedAt[14]).toBe(start);
    expect(clock.now() - start).toBeGreaterThanOrEqual((85 / 15) * 1000);
    expect(clock.now() - start).toBeLessThanOrEqual((85 / 15) * 1000 + 2);
    const steadyRate = (99 - 15) / ((grantedAt[99]! - grantedAt[15]!) / 1000);
    expect(steadyRate).toBeCloseTo(15, 1);
  });

  it('keeps concurrent callers together within the rate', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const grantedAt: number[] = [];
    const caller = async () => {
      for (let i = 0; i < 20; i++) {
        await limiter.take('UserList');
        grantedAt.push(clock.now());
      }
    };
    const start = clock.now();

    await Promise.all([caller(), caller(), caller(), caller(), caller()]);

    expect(grantedAt).toHaveLength(100);
    expect(worstExcess(grantedAt, 15)).toBeLessThanOrEqual(1e-6);
    expect(clock.now() - start).toBeGreaterThanOrEqual((85 / 15) * 1000);
  });

  it('serves waiters in the order they called, a large request included', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    await limiter.take('UserList', 15);
    const order: string[] = [];

    await Promise.all([
      limiter.take('UserList', 10).then(() => order.push('ten')),
      limiter.take('UserList', 1).then(() => order.push('one')),
      limiter.take('UserList', 2).then(() => order.push('two')),
    ]);

    expect(order).toEqual(['ten', 'one', 'two']);
  });

  it('never grants more than one second of rate at once, however long it was idle', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    await limiter.take('UserList', 15);
    clock.advance(60_000);
    const start = clock.now();

    const grantedAt = await takeSequentially(limiter, clock, 16);

    expect(grantedAt.filter((t) => t === start)).toHaveLength(15);
    expect(grantedAt[15]).toBeGreaterThan(start);
  });

  it('lets a request larger than the bucket through once the bucket is full, then repays it', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const start = clock.now();

    await limiter.take('UserList', 30);
    await limiter.take('UserList');

    // 30 taken from a bucket of 15 leaves a debt of 15; the next token comes after 16/15 s.
    expect(clock.now() - start).toBeGreaterThanOrEqual((16 / 15) * 1000);
  });

  it('keeps categories independent', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    await limiter.take('UserList', 15);
    limiter.throttled('UserList');
    const before = clock.now();

    await limiter.take('UserRead', 60);

    expect(clock.now()).toBe(before);
    expect(limiter.rate('UserRead')).toBe(60);
    expect(limiter.rate('UserList')).toBe(7.5);
  });

  it('halves the rate on a throttle', () => {
    const limiter = createRateLimiter({ config, clock: new ManualClock() });

    limiter.throttled('UserList');

    expect(limiter.rate('UserList')).toBe(7.5);
  });

  it('recovers gradually to the configured rate and never above it', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    limiter.throttled('UserList');
    const observed: number[] = [];

    for (let second = 0; second < 8; second++) {
      clock.advance(1000);
      observed.push(limiter.rate('UserList'));
    }
    clock.advance(3_600_000);

    expect(observed.map((rate) => Number(rate.toFixed(6)))).toEqual([9, 10.5, 12, 13.5, 15, 15, 15, 15]);
    expect(limiter.rate('UserList')).toBe(15);
  });

  it('counts a burst of throttles within a second as one decrease', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });

    for (let i = 0; i < 10; i++) limiter.throttled('UserList');

    expect(limiter.rate('UserList')).toBe(7.5);
  });

  it('halves again on a throttle a second later', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    limiter.throttled('UserList');
    clock.advance(1000);

    limiter.throttled('UserList');

    // 7.5 recovered by 1.5 to 9 in that second, then halved.
    expect(limiter.rate('UserList')).toBeCloseTo(4.5, 9);
  });

  it('never falls below 1/64 of the configured rate', () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });

    for (let i = 0; i < 20; i++) {
      limiter.throttled('UserList');
      clock.advance(1000);
    }

    expect(limiter.rate('UserList')).toBeGreaterThanOrEqual(15 / 64);
  });

  it('makes the next call wait after a throttle instead of bursting from saved tokens', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const start = clock.now();

    limiter.throttled('UserList');
    await limiter.take('UserList');

    // One token at the halved rate of 7.5/s: 133.3 ms, rounded up to whole milliseconds.
    expect(clock.now() - start).toBe(134);
  });

  it('slows waiters already queued when a throttle arrives', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    await limiter.take('UserList', 15);
    const start = clock.now();
    const queued = Array.from({ length: 5 }, () => limiter.take('UserList'));

    limiter.throttled('UserList');
    await Promise.all(queued);

    // Five tokens at no more than the recovering rate (7.5/s rising to 15/s): at least 5/15 s
    // even at full rate, and more than 5 × 1/15 s because the rate started at half.
    expect(clock.now() - start).toBeGreaterThan((5 / 15) * 1000 + 100);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects a take of %p tokens', async (count) => {
    const limiter = createRateLimiter({ config, clock: new ManualClock() });

    await expect(limiter.take('UserList', count)).rejects.toBeInstanceOf(InvalidInputError);
  });

  it.each([0, 1.5, -2])('rejects %p workers', (workers) => {
    expect(() => createRateLimiter({ config, workers })).toThrow(InvalidInputError);
  });
});

describe('unlimited', () => {
  it('never waits and reports an infinite rate', async () => {
    await expect(unlimited.take('UserList', 1_000_000)).resolves.toBeUndefined();
    expect(unlimited.rate('UserList')).toBe(Infinity);
  });
});

type RequestHandler = NonNullable<CognitoIdentityProviderClientConfig['requestHandler']>;
type RetryStrategy = NonNullable<CognitoIdentityProviderClientConfig['retryStrategy']>;

const jsonResponse = (statusCode: number, body: unknown) => ({
  response: {
    statusCode,
    headers: { 'content-type': 'application/x-amz-json-1.1' },
    body: Buffer.from(JSON.stringify(body)),
  },
});

const OK = jsonResponse(200, { Users: [] });
const THROTTLED = jsonResponse(400, { __type: 'TooManyRequestsException', message: 'Too many requests' });

/** A request handler that answers from a script and records the clock time of every attempt. */
const scriptedHandler = (
  clock: ManualClock,
  answers: (attempt: number) => ReturnType<typeof jsonResponse>,
) => {
  const attemptsAt: number[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle: async () => {
      attemptsAt.push(clock.now());
      return answers(attemptsAt.length);
    },
    updateHttpClientConfig: () => undefined,
    httpHandlerConfigs: () => ({}),
  } as unknown as RequestHandler;
  return { handler, attemptsAt };
};

/** The SDK's standard strategy backs off for real; retrying at once keeps the test in fake time. */
const retryAtOnce = (maxAttempts: number): RetryStrategy => {
  const token = (retries: number) => ({ getRetryCount: () => retries, getRetryDelay: () => 0 });
  return {
    acquireInitialRetryToken: async () => token(0),
    refreshRetryTokenForRetry: async (previous, info) => {
      if (previous.getRetryCount() + 1 >= maxAttempts) throw info.error;
      return token(previous.getRetryCount() + 1);
    },
    recordSuccess: () => undefined,
  } as RetryStrategy;
};

const cognitoClient = (requestHandler: RequestHandler, maxAttempts = 1) =>
  new CognitoIdentityProviderClient({
    region: 'eu-west-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    requestHandler,
    maxAttempts,
    retryStrategy: retryAtOnce(maxAttempts),
  });

describe('applyRateLimiter', () => {
  it('gates Cognito commands through the operation category bucket', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const { handler, attemptsAt } = scriptedHandler(clock, () => OK);
    const client = cognitoClient(handler);
    applyRateLimiter(client, limiter);
    const start = clock.now();

    await Promise.all(
      Array.from({ length: 30 }, () => client.send(new ListUsersCommand({ UserPoolId: 'p' }))),
    );

    expect(attemptsAt).toHaveLength(30);
    expect(
      worstExcess(
        [...attemptsAt].sort((a, b) => a - b),
        15,
      ),
    ).toBeLessThanOrEqual(1e-6);
    expect(clock.now() - start).toBeGreaterThanOrEqual((15 / 15) * 1000);
  });

  it('halves the category rate when Cognito answers TooManyRequestsException', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const { handler } = scriptedHandler(clock, () => THROTTLED);
    const client = cognitoClient(handler);
    applyRateLimiter(client, limiter);

    const sent = client.send(new ListUsersCommand({ UserPoolId: 'p' }));

    await expect(sent).rejects.toBeInstanceOf(TooManyRequestsException);
    expect(limiter.rate('UserList')).toBe(7.5);
    expect(limiter.rate('UserRead')).toBe(60);
  });

  it('takes a token for every attempt, retries included', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const take = jest.spyOn(limiter, 'take');
    const throttled = jest.spyOn(limiter, 'throttled');
    const { handler } = scriptedHandler(clock, (attempt) => (attempt === 1 ? THROTTLED : OK));
    const client = cognitoClient(handler, 2);
    applyRateLimiter(client, limiter);

    await client.send(new ListUsersCommand({ UserPoolId: 'p' }));

    expect(take.mock.calls).toEqual([['UserList'], ['UserList']]);
    expect(throttled.mock.calls).toEqual([['UserList']]);
  });

  it('refuses, before sending, an operation missing from the operations table', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const { handler, attemptsAt } = scriptedHandler(clock, () => OK);
    const client = cognitoClient(handler);
    applyRateLimiter(client, limiter);

    const sent = client.send(
      new AdminForgetDeviceCommand({ UserPoolId: 'p', Username: 'u', DeviceKey: 'k' }),
    );

    await expect(sent).rejects.toBeInstanceOf(UnlistedCognitoOperationError);
    expect(attemptsAt).toHaveLength(0);
  });

  it('sends a deliberately unmetered operation without taking a token', async () => {
    const clock = new ManualClock();
    const limiter = createRateLimiter({ config, clock });
    const take = jest.spyOn(limiter, 'take');
    const { handler, attemptsAt } = scriptedHandler(clock, () => OK);
    const client = cognitoClient(handler);
    applyRateLimiter(client, limiter);

    await client.send(new CreateUserPoolCommand({ PoolName: 'p' }));

    expect(attemptsAt).toHaveLength(1);
    expect(take).not.toHaveBeenCalled();
  });
});
