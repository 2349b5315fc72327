import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { CoreDeps } from '#shared/core-deps';

/** What every bulk-export task needs; built once per container by `createDeps`. */
export interface BulkExportDeps extends CoreDeps {
  /** The source pool, metered at the whole configured share (Start, Groups, Memberships). */
  source: CognitoIdentityProviderClient;
  /** The target pool (its own account, its own limiter). */
  target: CognitoIdentityProviderClient;
  /**
   * A source client for one of `workers` concurrent shard tasks, metered at 1/workers of the
   * configured share, so the shards together never exceed it. The task holds it for one
   * invocation and releases it: a pool of them behaves like warm Lambda containers, each with
   * its own limiter kept across invocations (a fresh, full bucket per shard would let every new
   * shard burst past the share).
   */
  acquireShardSource(workers: number): { client: CognitoIdentityProviderClient; release(): void };
  /** Reports users newly counted by a shard task (the `UsersExported` metric). */
  countExported?: (users: number) => void;
}

/** What Start returns and every later state passes on. */
export interface RunContext {
  runId: string;
  /** The execution holding the run's lease (the lease's holder); every task renews it. */
  execution: string;
  /** Hex prefixes of `sub`; together they cover every user exactly once. */
  shards: string[];
  maxConcurrency: number;
  /** How long one task pages before handing back to the state machine. */
  budgetMs: number;
  resumed: boolean;
}

/** What a paging task returns to its loop in the state machine. */
export interface LoopResult {
  done: boolean;
  /** Where the next invocation continues (informational; the table's checkpoint is authoritative). */
  cursor?: string;
  /** Items this invocation counted (replayed pages count nothing). */
  counted: number;
  /** Users this invocation counted out of the migration scope (scoped user shards only). */
  outOfScope?: number;
  pages: number;
}
