/**
 * Bulk-sync throughput against AWS's quotas: the sharded state machine versus one sequential
 * ListUsers pagination, in the same run, against the Cognito emulator with UserList at 30
 * requests/s and ~80 ms a call. Prints users/s, the ceiling the quota share allows (60 users a
 * page × allowed ListUsers/s) and each as a fraction of it.
 *
 *   npx tsx bench/bulk-sync.bench.ts [--users 10000] [--share 0.5] [--concurrency 4]
 *     [--prefix-length 1] [--latency 80] [--time-scale 5] [--sequential-pages 40]
 *
 * Time is dilated by --time-scale: the emulator, the limiters and the tasks all run on a clock
 * where one second lasts `time-scale` real seconds, so quotas and latency keep their AWS values
 * while the local table (dynalite, far slower than DynamoDB) keeps up. Figures are in that clock.
 */
import '#local/polyfills';
import { ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { parseArgs } from 'node:util';
import type { Clock } from '#shared/clock';
import { createSourceCognitoClient } from '#shared/clients';
import { parseConfig } from '#shared/config';
import { silentLogger } from '#shared/logger';
import { QUOTA_DEFAULTS } from '#shared/quotas';
import { createRateLimiter } from '#shared/rate-limiter';
import { startCognitoEmulator } from '#local/cognito/index';
import { startLocalDynamo } from '#local/dynamodb/index';
import { runStateMachine } from '#local/stepfunctions/index';
import { createDeps } from '../functions/bulk-export/deps';
import type { RunSummary } from '../functions/bulk-export/finish';
import { runTask } from '../functions/bulk-export/run-task';
import { writeUserPage } from '../functions/bulk-export/snapshot';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

const ARN = 'arn:aws:lambda:us-east-1:000000000000:function:bulk-export';

const { values: args } = parseArgs({
  options: {
    users: { type: 'string', default: '10000' },
    share: { type: 'string', default: '0.5' },
    concurrency: { type: 'string', default: '4' },
    'prefix-length': { type: 'string', default: '1' },
    latency: { type: 'string', default: '80' },
    'time-scale': { type: 'string', default: '5' },
    'sequential-pages': { type: 'string', default: '40' },
  },
});
const users = Number(args.users);
const share = Number(args.share);
const concurrency = Number(args.concurrency);
const prefixLength = Number(args['prefix-length']) as 1 | 2;
const latencyMs = Number(args.latency);
const scale = Number(args['time-scale']);
const sequentialPages = Number(args['sequential-pages']);

/** A clock on which one second lasts `scale` real seconds. */
const dilatedClock = (factor: number): Clock => {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) / factor,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) * factor)),
  };
};

const main = async () => {
  const clock = dilatedClock(scale);
  const emulator = await startCognitoEmulator({
    clock,
    quotas: 'default',
    latency: { fixedMs: latencyMs - 10, jitterMs: 20 },
    seed: 1,
  });
  const dynamo = await startLocalDynamo();
  const doc = DynamoDBDocumentClient.from(dynamo.client, {
    marshallOptions: { removeUndefinedValues: true },
  });
  const { UserPool: source } = (await emulator.call('CreateUserPool', { PoolName: 'source' })) as {
    UserPool: { Id: string };
  };
  const { UserPool: target } = (await emulator.call('CreateUserPool', { PoolName: 'target' })) as {
    UserPool: { Id: string };
  };
  for (let n = 0; n < users; n += 1) {
    emulator.store.createUserDirect(source.Id, {
      username: `user${n}`,
      attributes: { email: `user${n}@example.com`, email_verified: 'true' },
    });
  }
  const config = (tableName: string) =>
    parseConfig({
      source: { userPoolId: source.Id, migrationClientId: 'unused' },
      target: { userPoolId: target.Id },
      tableName,
      migrationWindowEnd: '2026-12-01T00:00:00Z',
      quotaShare: share,
      endpoints: { cognito: emulator.endpoint, dynamodb: dynamo.endpoint },
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  const allowedRps = share * QUOTA_DEFAULTS.UserList;
  const ceiling = 60 * allowedRps;

  // Sharded: the real state machine, in-process.
  await dynamo.createMigrationTable('bench-sharded');
  const deps = {
    ...createDeps(config('bench-sharded'), { clock, logger: silentLogger }),
    countExported: undefined, // no EMF lines in the bench's output
  };
  const sharded = await runStateMachine({
    definitionFile: 'statemachines/bulk-sync.asl.json',
    substitutions: { BulkExportFunctionArn: ARN },
    lambdas: { [ARN]: (event) => runTask(event, deps) },
    input: { maxConcurrency: concurrency, shardPrefixLength: prefixLength, taskBudgetSeconds: 60 },
  });
  if (sharded.status !== 'SUCCEEDED') throw new Error(`sharded run failed: ${JSON.stringify(sharded.error)}`);
  const summary = sharded.output as RunSummary;
  const shardedSeconds = summary.durationsSeconds.users ?? NaN;

  // Sequential: one ListUsers pagination at the whole share, each page written before the next.
  await dynamo.createMigrationTable('bench-sequential');
  const seqConfig = config('bench-sequential');
  const client = createSourceCognitoClient(seqConfig, {
    clock,
    limiter: createRateLimiter({ config: seqConfig, clock }),
  });
  const table = { doc, tableName: 'bench-sequential', clock };
  const started = clock.now();
  let seqUsers = 0;
  let token: string | undefined;
  for (let page = 0; page < sequentialPages; page += 1) {
    const result = await client.send(
      new ListUsersCommand({ UserPoolId: source.Id, Limit: 60, PaginationToken: token }),
    );
    seqUsers += await writeUserPage(table, result.Users ?? [], { runId: 'sequential', shard: '' });
    token = result.PaginationToken;
    if (!token) break;
  }
  const seqSeconds = (clock.now() - started) / 1000;

  const row = (name: string, count: number, seconds: number) => {
    const rate = count / seconds;
    return `${name.padEnd(34)}${String(count).padStart(8)}${seconds.toFixed(1).padStart(10)}${rate
      .toFixed(0)
      .padStart(10)}${`${((rate / ceiling) * 100).toFixed(1)}%`.padStart(12)}`;
  };
  const shards = prefixLength === 1 ? 16 : 256;
  console.log(
    `\nbulk-sync bench: ${users} users; quota share ${share} of UserList ${QUOTA_DEFAULTS.UserList}/s → ` +
      `${allowedRps} ListUsers/s allowed → ceiling ${ceiling} users/s; latency ~${latencyMs} ms; time ×${scale}\n`,
  );
  console.log(
    `${'mode'.padEnd(34)}${'users'.padStart(8)}${'seconds'.padStart(10)}${'users/s'.padStart(10)}${'of ceiling'.padStart(12)}`,
  );
  console.log(row(`sharded (${shards} shards, ${concurrency} at once)`, summary.users, shardedSeconds));
  console.log(row('sequential (one pagination)', seqUsers, seqSeconds));
  console.log(
    `\nsharded / sequential: ${(summary.users / shardedSeconds / (seqUsers / seqSeconds)).toFixed(2)}×`,
  );

  client.destroy();
  await emulator.close();
  await dynamo.close();
};

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
