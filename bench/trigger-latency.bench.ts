/**
 * Trigger latency of lazy-migrate through the Cognito emulator with ≈50 ms per source call:
 * p50/p95/p99 per path (password, forgot-password, MFA) warm, the cold start (deps built, then
 * the first invocation, which also loads the target schema), and source calls per migration.
 * Goal: p99 well under 5 % of Cognito's 5 s trigger budget (250 ms).
 * Run: npx tsx bench/trigger-latency.bench.ts [--users N]   (N per path, default 150)
 */
import { performance } from 'node:perf_hooks';
import { silentLogger } from '#shared/logger';
import { newTotpSecret } from '#local/cognito/totp';
import { LOCAL_FUNCTION_ARNS } from '#local/pool-settings';
import { startFaultStack } from '../test/faults/support/fault-stack';

const SOURCE_CALL_MS = 50;
const SOURCE_OPERATIONS = new Set(['AdminInitiateAuth', 'AdminGetUser', 'RevokeToken']);
const BUDGET_MS = 5000;
const PASSWORD = 'Bench-Passw0rd!';
const perPath = Number(process.argv[process.argv.indexOf('--users') + 1]) || 150;
const CONCURRENCY = 4;

type Path = 'password' | 'forgot-password' | 'mfa';

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const inBatches = async <T>(items: T[], run: (item: T) => Promise<unknown>) => {
  for (let i = 0; i < items.length; i += CONCURRENCY)
    await Promise.all(items.slice(i, i + CONCURRENCY).map(run));
};

const main = async () => {
  const sourceCalls = new Map<string, number>();
  const stack = await startFaultStack({
    emulator: {
      latency: (operation) => {
        if (!SOURCE_OPERATIONS.has(operation)) return 0;
        sourceCalls.set(operation, (sourceCalls.get(operation) ?? 0) + 1);
        return SOURCE_CALL_MS;
      },
    },
  });
  const names: Record<Path, string[]> = { password: [], 'forgot-password': [], mfa: [] };
  for (const path of Object.keys(names) as Path[]) {
    for (let i = 0; i < perPath + 1; i += 1) {
      const username = `${path}-${i}`;
      const user = stack.emulator.store.createUserDirect(stack.source.poolId, {
        username,
        attributes: { email: `${username}@example.com`, email_verified: 'true', 'custom:tenant': 't1' },
        password: PASSWORD,
      });
      if (path === 'mfa')
        user.mfa = { sms: false, totp: true, preferred: 'SOFTWARE_TOKEN_MFA', totpSecret: newTotpSecret() };
      names[path].push(username);
    }
  }
  await stack.functions.bulkSync({ taskBudgetSeconds: 60 });

  // Cold start: a fresh container builds its deps, then its first invocation loads the schema.
  const pathOf = new Map<string, Path>();
  for (const [path, list] of Object.entries(names)) for (const n of list) pathOf.set(n, path as Path);
  const samples: Record<Path, number[]> = { password: [], 'forgot-password': [], mfa: [] };
  const initStarted = performance.now();
  const { createDeps } = await import('../functions/lazy-migrate/deps');
  const { handleLazyMigrate } = await import('../functions/lazy-migrate/migrate-user');
  const { noMetrics } = await import('../functions/lazy-migrate/metrics');
  const deps = { ...createDeps(stack.config), logger: silentLogger, metrics: noMetrics };
  const initMs = performance.now() - initStarted;
  let firstInvocationMs = NaN;
  stack.emulator.registerFunction(
    LOCAL_FUNCTION_ARNS.lazyMigrate,
    async (event: { userName: string; triggerSource: string }) => {
      const started = performance.now();
      try {
        return await handleLazyMigrate(event as never, deps);
      } finally {
        const ms = performance.now() - started;
        if (Number.isNaN(firstInvocationMs)) firstInvocationMs = ms;
        else if (event.triggerSource.startsWith('UserMigration'))
          samples[pathOf.get(event.userName)!]?.push(ms);
      }
    },
  );
  await stack.signIn(names.password.shift()!, PASSWORD);
  names['forgot-password'].shift();
  names.mfa.shift();

  sourceCalls.clear();
  const started = performance.now();
  await inBatches(names.password, (u) => stack.signIn(u, PASSWORD));
  await inBatches(names['forgot-password'], (u) => stack.forgotPassword(u));
  await inBatches(names.mfa, (u) => stack.signIn(u, PASSWORD).catch(() => undefined));
  const wallSeconds = (performance.now() - started) / 1000;
  const migrations = samples.password.length + samples['forgot-password'].length + samples.mfa.length;
  const totalSourceCalls = [...sourceCalls.values()].reduce((a, b) => a + b, 0);

  console.log(
    `lazy-migrate trigger latency — ${SOURCE_CALL_MS} ms per source call, ${perPath} users per path, ${CONCURRENCY} sign-ins at once`,
  );
  console.log('| path | n | p50 ms | p95 ms | p99 ms | p99 / 5 s budget |');
  console.log('|---|---|---|---|---|---|');
  for (const [path, list] of Object.entries(samples)) {
    const sorted = [...list].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    console.log(
      `| ${path} | ${sorted.length} | ${percentile(sorted, 50).toFixed(1)} | ${percentile(sorted, 95).toFixed(1)} | ${p99.toFixed(1)} | ${((p99 / BUDGET_MS) * 100).toFixed(2)} % |`,
    );
  }
  console.log(
    `cold start: deps built in ${initMs.toFixed(1)} ms, first invocation ${firstInvocationMs.toFixed(1)} ms (schema load + password check)`,
  );
  console.log(
    `source calls per migration: ${(totalSourceCalls / migrations).toFixed(2)} (${[...sourceCalls].map(([op, n]) => `${op} ${n}`).join(', ')}; ${migrations} migrations)`,
  );
  console.log(
    `ratio: ≈ ${(
      percentile(
        [...samples.password].sort((a, b) => a - b),
        50,
      ) / SOURCE_CALL_MS
    ).toFixed(2)} source-call latencies per warm password migration (p50); wall ${wallSeconds.toFixed(1)} s`,
  );
  deps.source.destroy();
  deps.table.doc.destroy();
  await stack.close();
};

void main();
