import { acquireLease, readLease, releaseLease } from '#shared/table/leases';
import { CognitoIdentityProviderClient, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { ManualClock } from '#shared/clock';
import { silentLogger } from '#shared/logger';
import { createRun } from '#shared/table/runs';
import type { TableContext } from '#shared/table/context';
import type { BulkExportDeps } from '../../../functions/bulk-export/types';
import { aConfig } from '../../support/config';
import { useLocalTable } from '../../support/local-table';

export { aConfig } from '../../support/config';

/**
 * Deps whose Cognito clients are aws-sdk-client-mock'd; the table is a real local one. Shard
 * clients are the source mock; every acquisition is recorded, with whether it was released.
 */
export const fakeDeps = (table: TableContext, config = aConfig()) => {
  const source = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  const target = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  const shardRequests: { workers: number; released: boolean }[] = [];
  const deps: BulkExportDeps = {
    config,
    table,
    clock: table.clock,
    logger: silentLogger,
    source,
    target,
    acquireShardSource: (workers) => {
      const request = { workers, released: false };
      shardRequests.push(request);
      return { client: source, release: () => void (request.released = true) };
    },
  };
  return { deps, sourceMock: mockClient(source), targetMock: mockClient(target), shardRequests };
};

/** A ListUsers entry as Cognito returns it. */
export const aListedUser = (
  sub: string,
  overrides: {
    username?: string;
    attributes?: Record<string, string>;
    status?: string;
    enabled?: boolean;
  } = {},
): UserType => {
  const username = overrides.username ?? `user-${sub.slice(0, 8)}`;
  const attributes = {
    sub,
    email: `${username}@example.com`,
    email_verified: 'true',
    ...overrides.attributes,
  };
  return {
    Username: username,
    Attributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
    UserStatus: (overrides.status ?? 'CONFIRMED') as UserType['UserStatus'],
    Enabled: overrides.enabled ?? true,
    UserCreateDate: new Date('2024-01-01T00:00:00Z'),
    UserLastModifiedDate: new Date('2024-02-01T00:00:00Z'),
  };
};

/** A sub (UUID-shaped) starting with `prefix`, unique by `n`. */
export const subWith = (prefix: string, n: number): string =>
  `${prefix}${n.toString(16).padStart(8 - prefix.length, '0')}-0000-4000-8000-000000000000`;

/**
 * Opens a run as Start does: its lease held by its first execution (named like the run), then the
 * record. A lease still held by an earlier test run is released first, as that run's end would.
 */
export const openRun = async (table: TableContext, runId = 'run-1') => {
  const previous = await readLease(table, 'bulk-sync');
  if (previous) await releaseLease(table, 'bulk-sync', previous);
  await acquireLease(table, 'bulk-sync', { owner: runId, holder: runId, ttlMs: 900_000 });
  return createRun(table, runId, { maxConcurrency: 4, shardPrefixLength: 1, taskBudgetSeconds: 120 });
};

/**
 * A test file's dynalite (started in beforeAll, closed in afterAll) and, before each test, a fresh
 * table on a ManualClock at `start` with run-1 open. The returned object holds the current ones.
 */
export const useOpenRunTable = (start = Date.UTC(2026, 10, 22, 13, 0)) => {
  const local = useLocalTable(() => new ManualClock(start));
  beforeEach(() => openRun(local.table));
  return local;
};

/** An AWS SDK service exception by name, as the client would throw it. */
export const awsError = (name: string, message = name): Error =>
  Object.assign(new Error(message), { name, $fault: 'client' });
