import { getUser } from '#shared/table/users';
import { seedSourceUsers, useArtifactStack } from './support/artifact-stack';

/**
 * bulk-export with a 3 s Lambda timeout (the template says 300 s; shortened so the test runs in
 * seconds) and a source whose ListUsersInGroup takes 1.6 s a page: the memberships task, asked to
 * page for its default 120 s, would run into the Lambda timeout. It must checkpoint before it and
 * be resumed.
 */
const stack = useArtifactStack({
  timeouts: { 'bulk-export': 3 },
  emulator: { latency: (operation) => (operation === 'ListUsersInGroup' ? 1_600 : 0) },
});

describe('artifact mode: a task that runs out of Lambda time', () => {
  it('checkpoints before the timeout and is resumed, and the run completes', async () => {
    const users = Array.from({ length: 130 }, (_, i) => ({
      username: `member${String(i).padStart(3, '0')}`,
      groups: ['big'],
    }));
    await seedSourceUsers(stack(), users, ['big']);

    const result = await stack().functions.bulkSync({});

    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { users: 130 } });
    const rounds = result.events.filter(
      (e) => e.type === 'StateEntered' && (e as { state: { name: string } }).state.name === 'SyncMemberships',
    );
    expect(rounds.length).toBeGreaterThanOrEqual(3);
    const table = {
      doc: stack().functions.reconcileDeps().table.doc,
      tableName: stack().state.tableName,
      clock: { now: Date.now, sleep: async () => undefined },
    };
    expect((await getUser(table, 'member129'))?.groups).toEqual(['big']);
  }, 120_000);
});
