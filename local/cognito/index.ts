import type { Server } from 'node:http';
import { systemClock, type Clock } from '#shared/clock';
import type { QuotaCategory } from '#shared/quotas';
import { Chaos, type FaultOption, type LatencyOption } from './chaos';
import { Dispatcher } from './dispatch';
import { listen } from './http-server';
import { managedLoginRouter } from './managed-login/router';
import { Outbox, type OutboxFilter } from './outbox';
import { loadState, saveState } from './persistence';
import { QuotaMeter } from './quotas';
import { Store } from './store';
import { TokenService } from './tokens';
import { Triggers, type TriggerHandler } from './triggers';
import type { OutboxKind, OutboxMessage } from './types';

export { CognitoError } from './errors';
export type { OutboxKind, OutboxMessage, UserRecord, PoolRecord } from './types';
export type { DirectUser } from './store';
export { Store } from './store';

export interface CognitoEmulatorOptions {
  /** Port on 127.0.0.1. @default 0 (a free port) */
  port?: number;
  /** Per-category token buckets, as the account quotas. @default 'off' */
  quotas?: 'off' | 'default' | { scale?: number; overrides?: Partial<Record<QuotaCategory, number>> };
  /** Latency added to every call. @default none */
  latency?: LatencyOption;
  /** Injected error rates per operation; the error defaults to InternalErrorException. */
  faults?: FaultOption;
  /** Seed for faults and jitter, so runs repeat. */
  seed?: number;
  /** Trigger handlers by the Lambda ARN used in LambdaConfig; called in-process. */
  functions?: Record<string, TriggerHandler>;
  /** Deadline per trigger attempt. @default 5000 */
  triggerTimeoutMs?: number;
  /** Load state from this file on start and save it on close. */
  stateFile?: string;
  /**
   * Also save `stateFile` this often (ms) while calls arrive, so a killed process (kill -9, no
   * close) loses at most this much. @default no autosave
   */
  autosaveMs?: number;
  /** Time source for codes, tokens, quotas, latency and trigger deadlines. @default systemClock */
  clock?: Clock;
  /**
   * Find a pool only when asked in its own Region (its id starts with it), as AWS does. Off by
   * default: many callers create pools and call them with clients of different Regions.
   * @default false
   */
  regionalPools?: boolean;
}

export interface EmulatorOutbox {
  list(filter?: OutboxFilter): OutboxMessage[];
  latestCode(userPoolId: string, username: string, kind?: OutboxKind): string | undefined;
}

export interface CognitoEmulator {
  /** http://127.0.0.1:PORT — the `endpoint` for the AWS SDK client. */
  endpoint: string;
  port: number;
  /** Direct access to pools and users, e.g. `store.createUserDirect(poolId, {...})` for fast seeding. */
  store: Store;
  outbox: EmulatorOutbox;
  registerFunction(arn: string, handler: TriggerHandler): void;
  /** Runs an operation in-process with the same semantics as over HTTP (quotas, faults, errors). */
  call(operation: string, input: object): Promise<object>;
  close(): Promise<void>;
}

/** Starts an AWS-faithful Cognito user pool emulator on 127.0.0.1. */
export async function startCognitoEmulator(options: CognitoEmulatorOptions = {}): Promise<CognitoEmulator> {
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  let endpoint = '';
  const store = new Store(now);
  const outbox = new Outbox(now);
  const tokens = new TokenService(() => endpoint, now);
  const triggers = new Triggers(options.triggerTimeoutMs ?? 5000, options.clock);
  for (const [arn, handler] of Object.entries(options.functions ?? {})) triggers.functions.set(arn, handler);
  if (options.stateFile) await loadState(options.stateFile, store, tokens);

  const ctx = { store, outbox, triggers, tokens, now };
  const dispatcher = new Dispatcher(
    ctx,
    new QuotaMeter(options.quotas ?? 'off', now),
    new Chaos(options.latency, options.faults, options.seed),
    clock,
  );
  const autosave =
    options.stateFile && options.autosaveMs ? startAutosave(options, dispatcher, store, tokens) : undefined;
  const managedLogin = managedLoginRouter(ctx, () => endpoint);
  const server: Server = await listen(
    { dispatcher, outbox, store, tokens, managedLogin, regionalPools: options.regionalPools ?? false },
    options.port ?? 0,
  );
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  endpoint = `http://127.0.0.1:${port}`;

  return {
    endpoint,
    port,
    store,
    outbox: { list: (filter) => outbox.list(filter), latestCode: (p, u, k) => outbox.latestCode(p, u, k) },
    registerFunction: (arn, handler) => void triggers.functions.set(arn, handler),
    call: (operation, input) => dispatcher.call(operation, input as Record<string, unknown>),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await autosave?.stop();
      if (options.stateFile) await saveState(options.stateFile, store, tokens);
    },
  };
}

/** Saves the state every `autosaveMs` when a call arrived since the last save (any call may write). */
function startAutosave(
  options: CognitoEmulatorOptions,
  dispatcher: Dispatcher,
  store: Store,
  tokens: TokenService,
): { stop(): Promise<void> } {
  let dirty = false;
  let saving: Promise<void> = Promise.resolve();
  const call = dispatcher.call.bind(dispatcher);
  dispatcher.call = (...args) => {
    dirty = true;
    return call(...args);
  };
  const timer = setInterval(() => {
    if (!dirty) return;
    dirty = false;
    saving = saving.then(() => saveState(options.stateFile!, store, tokens)).catch(() => undefined);
  }, options.autosaveMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await saving;
    },
  };
}
