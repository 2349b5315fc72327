import { ManualClock } from '#shared/clock';
import { LeaseHeldError, LeaseLostError, LeaseStaleError } from '#shared/errors';
import { acquireLease, assertLeaseHeld, readLease, releaseLease, renewLease } from '#shared/table/leases';
import type { TableContext } from '#shared/table/context';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';

let harness: LocalTableHarness;
let ctx: TableContext;
let clock: ManualClock;

const A = { owner: 'run-a', holder: 'exec-a' };
const B = { owner: 'run-b', holder: 'exec-b' };
const TTL = 60_000;

beforeAll(async () => {
  harness = await startLocalTables();
});
afterAll(() => harness.close());
beforeEach(async () => {
  clock = new ManualClock(Date.UTC(2026, 10, 28, 8, 0));
  ctx = await harness.newTable(clock);
});

describe('leases (one writer at a time, in the migration table)', () => {
  it('lets one owner acquire, refuses a second while the first is live and names the holder', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });

    const second = acquireLease(ctx, 'bulk-sync', { ...B, ttlMs: TTL });

    await expect(second).rejects.toThrow(LeaseHeldError);
    await expect(second).rejects.toThrow(/"run-a" \(exec-a/);
    expect(await readLease(ctx, 'bulk-sync')).toMatchObject({ owner: 'run-a', state: 'HELD' });
  });

  it('keeps kinds apart: a campaign lease does not block a bulk sync', async () => {
    await acquireLease(ctx, 'reset-campaign', { ...A, ttlMs: TTL });
    await expect(acquireLease(ctx, 'bulk-sync', { ...B, ttlMs: TTL })).resolves.toBeDefined();
  });

  it('lets the same owner and holder acquire again (a retried start), but not another holder of the same owner', async () => {
    const first = await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });
    clock.advance(1000);

    const again = await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });

    expect(again.lease.acquiredAt).toBe(first.lease.acquiredAt);
    await expect(
      acquireLease(ctx, 'bulk-sync', { owner: 'run-a', holder: 'exec-a2', ttlMs: TTL }),
    ).rejects.toThrow(LeaseHeldError);
  });

  it('renews only for its holder, pushing the expiry to now + TTL', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });
    clock.advance(40_000);

    const renewed = await renewLease(ctx, 'bulk-sync', A);

    expect(renewed.expiresAtMs).toBe(clock.now() + TTL);
    expect(renewed.expiresAt).toBe(new Date(clock.now() + TTL).toISOString());
    await expect(renewLease(ctx, 'bulk-sync', B)).rejects.toThrow(LeaseLostError);
  });

  it('reports an expired lease as STALE and never takes it without an explicit takeover', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });
    clock.advance(TTL + 1);

    expect(await readLease(ctx, 'bulk-sync')).toMatchObject({ state: 'STALE', owner: 'run-a' });
    await expect(acquireLease(ctx, 'bulk-sync', { ...B, ttlMs: TTL })).rejects.toThrow(LeaseStaleError);

    const taken = await acquireLease(ctx, 'bulk-sync', { ...B, ttlMs: TTL, takeOver: true });

    expect(taken.takenOver).toMatchObject({ owner: 'run-a', state: 'STALE' });
    expect(await readLease(ctx, 'bulk-sync')).toMatchObject({
      owner: 'run-b',
      state: 'HELD',
      takenOverFrom: A,
    });
    // The old holder wakes up: it can neither renew nor pass the fence.
    await expect(renewLease(ctx, 'bulk-sync', A)).rejects.toThrow(LeaseLostError);
    await expect(assertLeaseHeld(ctx, 'bulk-sync', A)).rejects.toThrow(LeaseLostError);
  });

  it('refuses a takeover of a live lease', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });
    await expect(acquireLease(ctx, 'bulk-sync', { ...B, ttlMs: TTL, takeOver: true })).rejects.toThrow(
      LeaseHeldError,
    );
  });

  it('lets a stale holder that nobody took over renew its own lease', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });
    clock.advance(TTL * 2);
    await renewLease(ctx, 'bulk-sync', A);
    expect(await readLease(ctx, 'bulk-sync')).toMatchObject({ state: 'HELD', owner: 'run-a' });
  });

  it('releases only for its holder; a released lease is free for anyone', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });

    expect(await releaseLease(ctx, 'bulk-sync', B)).toBe(false);
    expect(await releaseLease(ctx, 'bulk-sync', A)).toBe(true);
    expect(await releaseLease(ctx, 'bulk-sync', A)).toBe(false);

    expect(await readLease(ctx, 'bulk-sync')).toMatchObject({ state: 'RELEASED' });
    await expect(acquireLease(ctx, 'bulk-sync', { ...B, ttlMs: TTL })).resolves.toBeDefined();
    await expect(renewLease(ctx, 'bulk-sync', A)).rejects.toThrow(/held by "run-b"/);
  });

  it('asserts a lease only while it stays valid for the time the next step may take', async () => {
    await acquireLease(ctx, 'bulk-sync', { ...A, ttlMs: TTL });
    clock.advance(TTL - 10_000);

    await expect(assertLeaseHeld(ctx, 'bulk-sync', A, 5_000)).resolves.toMatchObject({ owner: 'run-a' });
    await expect(assertLeaseHeld(ctx, 'bulk-sync', A, 10_000)).rejects.toThrow(LeaseLostError);
  });

  it('lets exactly one of many concurrent acquirers win', async () => {
    const owners = Array.from({ length: 8 }, (_, i) => ({ owner: `run-${i}`, holder: `exec-${i}` }));

    const results = await Promise.allSettled(
      owners.map((o) => acquireLease(ctx, 'reset-campaign', { ...o, ttlMs: TTL })),
    );

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof LeaseHeldError)).toHaveLength(
      7,
    );
  });
});
