/**
 * One writer at a time, by lease. A lease item per kind of writer (`bulk-sync`, `reset-campaign`)
 * names its owner (a run or campaign id), the holder inside it (an execution name, or host:pid)
 * and an expiry its holder keeps pushing forward (heartbeat). Every change is a conditional write:
 *
 * - acquire: the item is absent or released, or the same owner and holder already hold it (a
 *   retried Start is not refused by its own lease);
 * - renew and release: the item names this owner and holder and is not released;
 * - a lease whose expiry passed is STALE. It is never taken silently: `takeOver` takes it,
 *   conditional on the owner, holder and heartbeat just read, so a holder that renewed in
 *   between keeps it.
 *
 * Staleness compares the taker's clock with the expiry the holder wrote: clocks skewed by more
 * than the TTL's margin could make a live lease look stale, which is why takeover is explicit.
 */
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { LeaseHeldError, LeaseLostError, LeaseStaleError } from '../errors';
import type { TableContext } from './context';
import { ConditionalCheckFailedException, conditionalWrite, tableCall } from './errors';

export type LeaseKind = 'bulk-sync' | 'reset-campaign';

/** Who holds (or wants) a lease: `owner` is the run or campaign, `holder` the process inside it. */
export interface LeaseOwner {
  owner: string;
  holder: string;
}

export interface Lease extends LeaseOwner {
  kind: LeaseKind;
  acquiredAt: string;
  heartbeatAt: string;
  expiresAt: string;
  expiresAtMs: number;
  /** How far each renewal pushes the expiry. */
  ttlMs: number;
  released: boolean;
  releasedAt?: string;
  /** The owner and holder this lease was taken over from, if it was. */
  takenOverFrom?: LeaseOwner;
}

/** HELD: live; STALE: its expiry passed without a release; RELEASED: free. */
export type LeaseState = 'HELD' | 'STALE' | 'RELEASED';

export interface LeaseView extends Lease {
  state: LeaseState;
}

const leaseKey = (kind: LeaseKind) => ({ pk: 'LEASE', sk: kind });

const iso = (ms: number) => new Date(ms).toISOString();

/** `expiresAt` is derived: a renewal computes the expiry in the update expression, in ms. */
const toLease = (item: Record<string, unknown>): Lease => {
  const { pk: _pk, sk: _sk, expiresAt: _expiresAt, ...rest } = item;
  const lease = rest as unknown as Omit<Lease, 'expiresAt'>;
  return { ...lease, expiresAt: iso(Number(lease.expiresAtMs)) };
};

/** A lease's state at `now`. */
export const leaseState = (lease: Lease, now: number): LeaseState =>
  lease.released ? 'RELEASED' : lease.expiresAtMs <= now ? 'STALE' : 'HELD';

/** The lease of `kind` as the table holds it now (consistent read), or undefined if never taken. */
export const readLease = async (ctx: TableContext, kind: LeaseKind): Promise<LeaseView | undefined> => {
  const { Item } = await tableCall('lease read', () =>
    ctx.doc.send(new GetCommand({ TableName: ctx.tableName, Key: leaseKey(kind), ConsistentRead: true })),
  );
  if (!Item) return undefined;
  const lease = toLease(Item);
  return { ...lease, state: leaseState(lease, ctx.clock.now()) };
};

const isHeldBy = (lease: Lease, who: LeaseOwner) => lease.owner === who.owner && lease.holder === who.holder;

export interface AcquireOptions extends LeaseOwner {
  ttlMs: number;
  /** Take a STALE lease (never a live one). */
  takeOver?: boolean;
}

export interface Acquired {
  lease: Lease;
  /** The stale lease this acquisition replaced, when it was a takeover. */
  takenOver?: LeaseView;
}

/**
 * Takes the lease of `kind` for `owner`/`holder`. Throws LeaseHeldError when another holder's
 * lease is live, LeaseStaleError when it is stale and `takeOver` was not given.
 */
export const acquireLease = async (
  ctx: TableContext,
  kind: LeaseKind,
  options: AcquireOptions,
): Promise<Acquired> => {
  const who = { owner: options.owner, holder: options.holder };
  const current = await readLease(ctx, kind);
  const now = ctx.clock.now();
  const takeOver = current?.state === 'STALE' && !isHeldBy(current, who);
  if (current && current.state === 'HELD' && !isHeldBy(current, who)) throw new LeaseHeldError(current);
  if (takeOver && !options.takeOver) throw new LeaseStaleError(current);
  const lease: Lease = {
    kind,
    ...who,
    acquiredAt: current && isHeldBy(current, who) && !current.released ? current.acquiredAt : iso(now),
    heartbeatAt: iso(now),
    expiresAt: iso(now + options.ttlMs),
    expiresAtMs: now + options.ttlMs,
    ttlMs: options.ttlMs,
    released: false,
    ...(takeOver ? { takenOverFrom: { owner: current.owner, holder: current.holder } } : {}),
  };
  const values: Record<string, unknown> = { ':true': true, ':owner': who.owner, ':holder': who.holder };
  let condition = 'attribute_not_exists(pk) OR released = :true OR (#owner = :owner AND holder = :holder)';
  if (takeOver) {
    // Exactly the stale lease that was read: a holder that renewed since keeps its lease.
    condition =
      '#owner = :staleOwner AND holder = :staleHolder AND heartbeatAt = :staleBeat AND expiresAtMs < :now AND released = :false';
    Object.assign(values, {
      ':staleOwner': current.owner,
      ':staleHolder': current.holder,
      ':staleBeat': current.heartbeatAt,
      ':now': now,
      ':false': false,
    });
    delete values[':true'];
    delete values[':owner'];
    delete values[':holder'];
  }
  const written = await conditionalWrite(() =>
    tableCall('lease acquire', () =>
      ctx.doc.send(
        new PutCommand({
          TableName: ctx.tableName,
          Item: { ...leaseKey(kind), ...lease, expiresAt: undefined },
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: values,
        }),
      ),
    ),
  );
  if (!written) {
    // Someone acquired or renewed between the read and the write: report who holds it now.
    const winner = await readLease(ctx, kind);
    if (winner && winner.state === 'STALE') throw new LeaseStaleError(winner);
    throw new LeaseHeldError(winner ?? lease);
  }
  return { lease, ...(takeOver ? { takenOver: current } : {}) };
};

const lost = async (ctx: TableContext, kind: LeaseKind, who: LeaseOwner, doing: string) => {
  const current = await readLease(ctx, kind);
  const now = current
    ? current.released
      ? `it was released by "${current.owner}" (${current.holder})`
      : `it is held by "${current.owner}" (${current.holder}) until ${current.expiresAt}`
    : 'there is no lease';
  return new LeaseLostError(`"${who.owner}" (${who.holder}) cannot ${doing} the ${kind} lease: ${now}`);
};

/**
 * Pushes the expiry of a lease this owner and holder hold to now + its TTL (or `ttlMs`).
 * Throws LeaseLostError when they no longer hold it. A holder may renew its own lease after the
 * expiry passed as long as nobody took it over: until then nobody else wrote.
 */
export const renewLease = async (
  ctx: TableContext,
  kind: LeaseKind,
  who: LeaseOwner,
  ttlMs?: number,
): Promise<Lease> => {
  const now = ctx.clock.now();
  const values: Record<string, unknown> = {
    ':owner': who.owner,
    ':holder': who.holder,
    ':false': false,
    ':beat': iso(now),
    ':now': now,
  };
  let update = 'SET heartbeatAt = :beat';
  if (ttlMs !== undefined) {
    values[':ttl'] = ttlMs;
    update += ', ttlMs = :ttl, expiresAtMs = :now + :ttl';
  } else update += ', expiresAtMs = :now + ttlMs';
  try {
    const { Attributes } = await tableCall('lease renewal', () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: leaseKey(kind),
          UpdateExpression: update,
          ConditionExpression: '#owner = :owner AND holder = :holder AND released = :false',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return toLease(Attributes ?? {});
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw await lost(ctx, kind, who, 'renew');
    throw error;
  }
};

/** Releases a lease this owner and holder hold; false (and nothing written) when they do not. */
export const releaseLease = async (ctx: TableContext, kind: LeaseKind, who: LeaseOwner): Promise<boolean> => {
  const now = ctx.clock.now();
  return conditionalWrite(() =>
    tableCall('lease release', () =>
      ctx.doc.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: leaseKey(kind),
          UpdateExpression: 'SET released = :true, releasedAt = :at',
          ConditionExpression: '#owner = :owner AND holder = :holder AND released = :false',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: {
            ':owner': who.owner,
            ':holder': who.holder,
            ':true': true,
            ':false': false,
            ':at': iso(now),
          },
        }),
      ),
    ),
  );
};

/**
 * Fails unless this owner and holder hold the lease and it stays valid for at least
 * `validForMs` more (by this clock). Before a destructive step, `validForMs` is the longest the
 * step can take: nobody can take the lease over before it expires, so the step ends first.
 */
export const assertLeaseHeld = async (
  ctx: TableContext,
  kind: LeaseKind,
  who: LeaseOwner,
  validForMs = 0,
): Promise<LeaseView> => {
  const lease = await readLease(ctx, kind);
  if (!lease || lease.released || !isHeldBy(lease, who)) throw await lost(ctx, kind, who, 'use');
  if (lease.expiresAtMs <= ctx.clock.now() + validForMs) {
    throw new LeaseLostError(
      `"${who.owner}" (${who.holder}) holds the ${kind} lease only until ${lease.expiresAt}, less than the ${validForMs} ms the next step may take`,
    );
  }
  return lease;
};

/**
 * Whether a bulk-sync run recorded as RUNNING is alive: some execution of it holds the lease and
 * keeps renewing it. Otherwise it is STALE: its runner died without recording the end.
 */
export const runLiveness = (lease: LeaseView | undefined, runId: string): 'LIVE' | 'STALE' =>
  lease?.owner === runId && lease.state === 'HELD' ? 'LIVE' : 'STALE';

/** What a long-running holder checks before each destructive step. */
export interface LeaseGuard {
  /**
   * Renews the lease when less than half its TTL is left, then fails with LeaseLostError unless
   * it stays valid for `validForMs` more: the step that follows must end within that time.
   * Concurrent callers share one renewal.
   */
  ensure(validForMs?: number): Promise<Lease>;
}

export const createLeaseGuard = (
  ctx: TableContext,
  kind: LeaseKind,
  who: LeaseOwner,
  lease: Lease,
): LeaseGuard => {
  let current = lease;
  let renewing: Promise<Lease> | undefined;
  return {
    ensure: async (validForMs = 0) => {
      if (current.expiresAtMs - ctx.clock.now() < current.ttlMs / 2) {
        renewing ??= renewLease(ctx, kind, who).finally(() => (renewing = undefined));
        current = await renewing;
      }
      if (current.expiresAtMs <= ctx.clock.now() + validForMs) {
        throw new LeaseLostError(
          `"${who.owner}" holds the ${kind} lease only until ${iso(current.expiresAtMs)}, less than the ${validForMs} ms the next step may take`,
        );
      }
      return current;
    },
  };
};
