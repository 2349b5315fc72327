/**
 * Scale: time and memory of a bulk sync (the real state machine through the local runner) and
 * the latency of `status` (`buildStatusReport`: getProgress plus the hourly buckets) at 10k and
 * 100k users (1M with `--max 1000000`), Cognito emulator quotas off. Goal: memory flat (peak heap
 * at 100k ≈ at 10k) and `status` constant.
 *
 *   npx tsx bench/scale.bench.ts [--max 100000] [--concurrency 4] [--status-samples 50]
 *
 * The emulator and dynalite run in a child process (this file with `--serve N`), so the memory
 * sampled here is the migrator's alone (tasks, SDK clients, the state-machine runner) and not the
 * pool's or the table's, which grow with N by nature.
 */
import '#local/polyfills';
import { spawn, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseConfig } from '#shared/config';
import { silentLogger } from '#shared/logger';
import { startCognitoEmulator } from '#local/cognito/index';
import { startLocalDynamo } from '#local/dynamodb/index';
import { runStateMachine } from '#local/stepfunctions/index';
import { buildStatusReport } from '../cli/commands/status';
import { createDeps } from '../functions/bulk-export/deps';
import type { RunSummary } from '../functions/bulk-export/finish';
import { runTask } from '../functions/bulk-export/run-task';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:bulk-export';
const GROUPS = ['admins', 'staff', 'beta'];
/** One user in this many is in a group, so the memberships phase has work proportional to N. */
const MEMBER_EVERY = 10;
const SAMPLE_MS = 25;

const { values: args } = parseArgs({
  options: {
    max: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '4' },
    'status-samples': { type: 'string', default: '50' },
    serve: { type: 'string' },
  },
});

interface Served {
  cognito: string;
  dynamodb: string;
  source: string;
  target: string;
  tableName: string;
}

/** Child mode: the pool and the table, seeded with N users, until the parent closes stdin. */
const serve = async (users: number) => {
  const emulator = await startCognitoEmulator({ quotas: 'off' });
  const dynamo = await startLocalDynamo();
  const pool = async (PoolName: string) =>
    ((await emulator.call('CreateUserPool', { PoolName })) as { UserPool: { Id: string } }).UserPool.Id;
  const source = await pool('source');
  const target = await pool('target');
  for (const GroupName of GROUPS) await emulator.call('CreateGroup', { UserPoolId: source, GroupName });
  for (let n = 0; n < users; n += 1) {
    emulator.store.createUserDirect(source, {
      username: `user${n}`,
      attributes: { email: `user${n}@example.com`, email_verified: 'true', given_name: `Name${n % 1000}` },
      groups: n % MEMBER_EVERY === 0 ? [GROUPS[(n / MEMBER_EVERY) % GROUPS.length]!] : [],
    });
  }
  const tableName = 'scale-bench';
  await dynamo.createMigrationTable(tableName);
  const served: Served = { cognito: emulator.endpoint, dynamodb: dynamo.endpoint, source, target, tableName };
  console.log(`READY ${JSON.stringify(served)}`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void emulator.close().then(() => dynamo.close());
  });
};

const startServer = (users: number): Promise<{ child: ChildProcess; served: Served }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--serve', String(users)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    child.once('exit', (code) => reject(new Error(`seeding process exited with ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, served: JSON.parse(line.slice(6)) as Served });
    });
  });

/** `global.gc` without a node flag: tsx runs this file, so flags cannot be passed on its behalf. */
const gc = (() => {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
})();

const mib = (bytes: number) => bytes / 2 ** 20;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Measurement {
  users: number;
  seconds: number;
  baselineHeap: number;
  peakHeap: number;
  peakRss: number;
  /** Heap after the run and a full GC, above the baseline: what the migrator kept. */
  retainedHeap: number;
  statusMs: number;
}

const measure = async (users: number): Promise<Measurement> => {
  const seedStarted = performance.now();
  const { child, served } = await startServer(users);
  console.error(`${users} users seeded in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);
  const config = parseConfig({
    source: { userPoolId: served.source, migrationClientId: 'unused' },
    target: { userPoolId: served.target },
    tableName: served.tableName,
    migrationWindowEnd: '2026-12-01T00:00:00Z',
    endpoints: { cognito: served.cognito, dynamodb: served.dynamodb },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    // The emulator's quotas are off; unthrottled limiters measure the migrator, not the quota.
    quotaShare: 1,
  });
  const deps = {
    ...createDeps(config, {
      logger: silentLogger,
      quotas: { UserList: 1e6, UserPoolResourceRead: 1e6, UserPoolResourceUpdate: 1e6 },
    }),
    countExported: undefined, // no EMF lines in the bench's output
  };
  gc();
  const baselineHeap = process.memoryUsage().heapUsed;
  let peakHeap = baselineHeap;
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    const { heapUsed, rss } = process.memoryUsage();
    peakHeap = Math.max(peakHeap, heapUsed);
    peakRss = Math.max(peakRss, rss);
  }, SAMPLE_MS);
  const started = performance.now();
  const run = await runStateMachine({
    definitionFile: 'statemachines/bulk-sync.asl.json',
    substitutions: { BulkExportFunctionArn: ARN },
    lambdas: { [ARN]: (event) => runTask(event, deps) },
    input: { maxConcurrency: Number(args.concurrency), taskBudgetSeconds: 60 },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (run.status !== 'SUCCEEDED') throw new Error(`bulk sync failed: ${JSON.stringify(run.error)}`);
  const summary = run.output as RunSummary;
  if (summary.users !== users) throw new Error(`bulk sync saw ${summary.users} of ${users} users`);

  const samples: number[] = [];
  // The first calls pay for connection set-up, not for the table's size.
  for (let i = 0; i < 5; i += 1) await buildStatusReport(deps.table, config.migrationWindowEnd);
  for (let i = 0; i < Number(args['status-samples']); i += 1) {
    const t = performance.now();
    const report = await buildStatusReport(deps.table, config.migrationWindowEnd);
    samples.push(performance.now() - t);
    if (report.total !== users) throw new Error(`status says ${report.total} users, expected ${users}`);
  }
  gc();
  const retainedHeap = process.memoryUsage().heapUsed - baselineHeap;
  deps.source.destroy();
  deps.target.destroy();
  deps.table.doc.destroy();
  child.removeAllListeners('exit');
  child.stdin!.end();
  await new Promise((resolve) => child.once('exit', resolve));
  return { users, seconds, baselineHeap, peakHeap, peakRss, retainedHeap, statusMs: median(samples) };
};

const main = async () => {
  if (args.serve) return serve(Number(args.serve));
  const sizes = [10_000, 100_000, 1_000_000].filter((n) => n <= Number(args.max));
  const results: Measurement[] = [];
  for (const users of sizes) results.push(await measure(users));

  console.log(
    `scale — bulk sync (state machine, ${args.concurrency} shards at once, quotas off) and status, ` +
      `memory of the migrator's process sampled every ${SAMPLE_MS} ms\n`,
  );
  console.log(
    '| users | sync s | users/s | heap before MiB | peak heap MiB | peak heap − before MiB | retained after GC MiB | peak RSS MiB | status p50 ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    console.log(
      `| ${r.users.toLocaleString('en')} | ${r.seconds.toFixed(1)} | ${(r.users / r.seconds).toFixed(0)} | ` +
        `${mib(r.baselineHeap).toFixed(1)} | ${mib(r.peakHeap).toFixed(1)} | ` +
        `${mib(r.peakHeap - r.baselineHeap).toFixed(1)} | ${mib(r.retainedHeap).toFixed(1)} | ` +
        `${mib(r.peakRss).toFixed(0)} | ${r.statusMs.toFixed(2)} |`,
    );
  }
  const [base] = results;
  for (const r of results.slice(1)) {
    const k = `${r.users / 1000}k/${base!.users / 1000}k`;
    console.log(
      `\nratios ${k}: peak heap ${(r.peakHeap / base!.peakHeap).toFixed(2)}, ` +
        `heap growth ${((r.peakHeap - r.baselineHeap) / (base!.peakHeap - base!.baselineHeap)).toFixed(2)}, ` +
        `peak RSS ${(r.peakRss / base!.peakRss).toFixed(2)}, status ${(r.statusMs / base!.statusMs).toFixed(2)}, ` +
        `users/s ${(r.users / r.seconds / (base!.users / base!.seconds)).toFixed(2)} ` +
        `(flat memory and constant status ≈ 1)`,
    );
  }
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
