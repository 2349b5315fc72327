import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  ListUsersCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { ManualClock } from '#shared/clock';
import { createPool, errorOf, startHarness, stopHarness, useHarness, type Harness } from './helpers';

const create = (h: Harness, poolId: string, username: string) =>
  h.cognito.send(
    new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS' }),
  );

describe('quotas', () => {
  const clock = new ManualClock();
  const h = useHarness({ clock, quotas: { overrides: { UserCreation: 2, UserList: 1 } } });

  it('answers TooManyRequestsException once a category bucket is empty', async () => {
    const { poolId } = await createPool(h);
    await create(h, poolId, 'q1');
    await create(h, poolId, 'q2');
    const error = await errorOf(create(h, poolId, 'q3'));
    expect(error.name).toBe('TooManyRequestsException');
  });

  it('refills the bucket as time passes', async () => {
    const { poolId } = await createPool(h);
    clock.advance(1000);
    await create(h, poolId, 'r1');
    await create(h, poolId, 'r2');
    clock.advance(500);
    const again = await create(h, poolId, 'r3');
    expect(again.User?.Username).toBe('r3');
  });

  it('meters each category separately', async () => {
    const { poolId } = await createPool(h);
    clock.advance(1000);
    await h.cognito.send(new ListUsersCommand({ UserPoolId: poolId }));
    const error = await errorOf(h.cognito.send(new ListUsersCommand({ UserPoolId: poolId })));
    const created = await create(h, poolId, 's1');
    expect(error.name).toBe('TooManyRequestsException');
    expect(created.User?.Username).toBe('s1');
  });
});

describe('faults and latency', () => {
  it('injects the configured exception at the configured rate', async () => {
    const h = await startHarness({
      faults: { AdminGetUser: { rate: 1, error: 'TooManyRequestsException' } },
    });
    try {
      const { poolId } = await createPool(h);
      const error = await errorOf(
        h.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'x' })),
      );
      expect(error.name).toBe('TooManyRequestsException');
    } finally {
      await stopHarness(h);
    }
  });

  it('repeats the same fault pattern for the same seed', async () => {
    const pattern = async () => {
      const h = await startHarness({ seed: 42, faults: { ListUsers: { rate: 0.5 } } });
      try {
        const { poolId } = await createPool(h);
        const outcomes: boolean[] = [];
        for (let i = 0; i < 12; i++)
          outcomes.push(
            await h.emulator.call('ListUsers', { UserPoolId: poolId }).then(
              () => true,
              () => false,
            ),
          );
        return outcomes;
      } finally {
        await stopHarness(h);
      }
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(false);
  });

  it('adds the configured latency to each call on the injected clock', async () => {
    const clock = new ManualClock();
    const h = await startHarness({ clock, latency: { fixedMs: 250 } });
    try {
      const { poolId } = await createPool(h);
      const before = clock.now();
      await h.emulator.call('ListUsers', { UserPoolId: poolId });
      expect(clock.now() - before).toBe(250);
    } finally {
      await stopHarness(h);
    }
  });
});

describe('persistence', () => {
  it('saves state on close and loads it on start', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'cognito-emulator-')), 'state.json');
    const first = await startHarness({ stateFile });
    const { poolId } = await createPool(first);
    await create(first, poolId, 'kept');
    await stopHarness(first);
    const second = await startHarness({ stateFile });
    try {
      const user = await second.cognito.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'kept' }),
      );
      expect(user.Username).toBe('kept');
    } finally {
      await stopHarness(second);
    }
  });

  it('with autosaveMs, saves while calls arrive, so a process killed without close keeps what it served', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'cognito-emulator-')), 'state.json');
    const first = await startHarness({ stateFile, autosaveMs: 10 });
    const { poolId } = await createPool(first);
    await create(first, poolId, 'saved-without-close');
    // No close (a kill): poll the file until an autosave holds the user.
    while (!existsSync(stateFile) || !readFileSync(stateFile, 'utf8').includes('saved-without-close'))
      await new Promise((resolve) => setTimeout(resolve, 10));
    const second = await startHarness({ stateFile: `${stateFile}` });
    try {
      const user = await second.cognito.send(
        new AdminGetUserCommand({ UserPoolId: poolId, Username: 'saved-without-close' }),
      );
      expect(user.Username).toBe('saved-without-close');
    } finally {
      await stopHarness(second);
      await stopHarness(first);
    }
  });
});
