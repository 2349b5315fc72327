import { seedSourceUsers, useArtifactStack } from './support/artifact-stack';

/**
 * The source answers TooManyRequestsException to most list calls, more often than the bundled
 * SDK's own retries absorb: the bundled bulk-export must fail the task with the project's error
 * name, for the ASL's Retry (ErrorEquals SourceThrottledError) to retry it.
 */
const stack = useArtifactStack({
  emulator: {
    faults: {
      ListUsers: { rate: 0.6, error: 'TooManyRequestsException' },
      ListGroups: { rate: 0.6, error: 'TooManyRequestsException' },
    },
    seed: 7,
  },
});

describe('artifact mode: bulk sync against a throttling source', () => {
  it('retries the bundled task’s SourceThrottledError by the ASL’s own Retry and completes', async () => {
    const users = Array.from({ length: 120 }, (_, i) => ({ username: `user${String(i).padStart(3, '0')}` }));
    await seedSourceUsers(stack(), users, ['readers']);

    const result = await stack().functions.bulkSync({ maxConcurrency: 4 });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { users: 120 } });
    const retried = result.events.filter((e) => e.type === 'StateRetried');
    expect(retried.length).toBeGreaterThan(0);
    const failures = result.events
      .filter((e) => e.type === 'StateFailed')
      .map((e) => (e as { Error?: string }).Error);
    expect(new Set(failures)).toEqual(new Set(['SourceThrottledError']));
  }, 120_000);
});
