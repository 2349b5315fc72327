import { join } from 'node:path';
import { CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '#shared/clock';
import { parseConfig, type ConfigInput } from '#shared/config';
import { silentLogger } from '#shared/logger';
import type { TableContext } from '#shared/table/context';
import type { UserRecord } from '#shared/table/users';
import type { CognitoEmulator } from '#local/cognito/index';
import { runStateMachine, type LocalLambda } from '#local/stepfunctions/index';
import { createDeps } from '../../../functions/bulk-export/deps';
import { runTask } from '../../../functions/bulk-export/run-task';
import type { BulkExportDeps } from '../../../functions/bulk-export/types';
import { emulatorClient } from '../../support/emulator-client';
import type { LocalTableHarness } from '../../support/local-table';

export const BULK_EXPORT_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:bulk-export';
export const DEFINITION_FILE = join(__dirname, '../../../statemachines/bulk-sync.asl.json');
export const SOURCE_ROLE = 'arn:aws:iam::111111111111:role/source-admins';
export const TARGET_ROLE = 'arn:aws:iam::222222222222:role/target-admins';

/**
 * A case-sensitive source pool with a custom attribute (so "Alice" and "alice" are two users,
 * as in an old pool created before case-insensitivity became the default) and a target pool.
 */
export const createPools = async (emulator: CognitoEmulator) => {
  const admin = emulatorClient(emulator);
  const create = async (name: string, caseSensitive: boolean) => {
    const { UserPool } = await admin.send(
      new CreateUserPoolCommand({
        PoolName: name,
        UsernameConfiguration: { CaseSensitive: caseSensitive },
        Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: true }],
      }),
    );
    return UserPool!.Id!;
  };
  const pools = { source: await create('source', true), target: await create('target', false) };
  admin.destroy();
  return pools;
};

export const GROUPS = ['admins', 'editors', 'readers', 'beta-testers', 'support'];

/**
 * Seeds `count` users straight into the emulator's store: every 7th disabled, every 11th
 * UNCONFIRMED, every 13th also present as an upper-cased twin, custom attributes, and
 * memberships in 0–2 groups. Groups go through the API (one with a role ARN).
 */
export const seedSource = async (emulator: CognitoEmulator, poolId: string, count: number) => {
  for (const [i, name] of GROUPS.entries()) {
    await emulator.call('CreateGroup', {
      UserPoolId: poolId,
      GroupName: name,
      Description: `The ${name}`,
      Precedence: i,
      ...(name === 'admins' ? { RoleArn: SOURCE_ROLE } : {}),
    });
  }
  const userCount = (n: number) => {
    const username = `user${String(n).padStart(5, '0')}`;
    emulator.store.createUserDirect(poolId, {
      username,
      attributes: { email: `${username}@example.com`, email_verified: 'true', 'custom:tenant': `t${n % 17}` },
      status: n % 11 === 0 ? 'UNCONFIRMED' : 'CONFIRMED',
      enabled: n % 7 !== 0,
      groups: GROUPS.filter((_, g) => (n + g) % 8 === 0 || (g === 0 && n % 5 === 0)),
    });
    if (n % 13 === 0) {
      emulator.store.createUserDirect(poolId, {
        username: username.toUpperCase(),
        attributes: { email: `twin-${username}@example.com`, 'custom:tenant': 'twins' },
      });
    }
  };
  let seeded = 0;
  for (let n = 0; seeded < count; n += 1) {
    userCount(n);
    seeded += n % 13 === 0 ? 2 : 1;
  }
};

export interface SyncEnvironment {
  config: ReturnType<typeof parseConfig>;
  deps: BulkExportDeps;
  /** Runs bulk-sync with the local runner; `wrap` may replace the Lambda handler. */
  run(input: unknown, wrap?: (handler: LocalLambda) => LocalLambda): ReturnType<typeof runStateMachine>;
}

export const syncEnvironment = (
  emulator: CognitoEmulator,
  tables: LocalTableHarness,
  table: TableContext,
  pools: { source: string; target: string },
  clock: Clock,
  overrides: Partial<ConfigInput> = {},
): SyncEnvironment => {
  const config = parseConfig({
    source: { userPoolId: pools.source, migrationClientId: 'unused' },
    target: { userPoolId: pools.target },
    tableName: table.tableName,
    migrationWindowEnd: '2026-12-01T00:00:00Z',
    groupRoleArnMap: { [SOURCE_ROLE]: TARGET_ROLE },
    endpoints: { cognito: emulator.endpoint, dynamodb: tables.dynamo.endpoint },
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...overrides,
  });
  const deps = createDeps(config, { clock, logger: silentLogger });
  const handler: LocalLambda = (event) => runTask(event, deps);
  return {
    config,
    deps,
    run: (input, wrap) =>
      runStateMachine({
        definitionFile: DEFINITION_FILE,
        substitutions: { BulkExportFunctionArn: BULK_EXPORT_ARN },
        lambdas: { [BULK_EXPORT_ARN]: wrap ? wrap(handler) : handler },
        input,
      }),
  };
};

/** Every user item of the table. */
export const tableUsers = async (table: TableContext): Promise<UserRecord[]> => {
  const users: UserRecord[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.doc.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'sk = :user',
        ExpressionAttributeValues: { ':user': 'USER' },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) {
      const groups = item.groups instanceof Set ? [...(item.groups as Set<string>)].sort() : [];
      users.push({ ...(item as unknown as UserRecord), groups });
    }
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return users;
};

/** The source pool as the emulator holds it: username → what the snapshot must say. */
export const sourceUsers = (emulator: CognitoEmulator, poolId: string) =>
  new Map(
    [...emulator.store.pool(poolId).users.values()].map((user) => [
      user.username,
      {
        sub: user.sub,
        enabled: user.enabled,
        userStatus: user.status,
        attributes: { ...user.attributes },
        groups: [...user.groups].sort(),
      },
    ]),
  );

/** What a target group looks like, through the API. */
export const targetGroup = async (emulator: CognitoEmulator, poolId: string, groupName: string) => {
  const { Group } = (await emulator.call('GetGroup', { UserPoolId: poolId, GroupName: groupName })) as {
    Group: { GroupName: string; Description?: string; Precedence?: number; RoleArn?: string };
  };
  return Group;
};
