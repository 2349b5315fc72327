import {
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { describeTargetSchema } from '#shared/attribute-mapping';
import type { ManualClock } from '#shared/clock';
import { parseConfig, type ConfigInput } from '#shared/config';
import { putGroup } from '#shared/table/groups';
import { putLoginKeys } from '#shared/table/login-keys';
import { silentLogger } from '#shared/logger';
import { addCounters } from '#shared/table/progress';
import { applyRateLimiter, createRateLimiter } from '#shared/rate-limiter';
import type { TableContext } from '#shared/table/context';
import { addUserGroups, upsertSnapshot, type SourceUserSnapshot } from '#shared/table/users';
import type { CognitoEmulator } from '#local/cognito/index';
import type { ReconcileDeps } from '../../../functions/reconcile/deps';
import { emulatorClient } from '../../support/emulator-client';

export const WINDOW_END = Date.UTC(2026, 11, 1);
export const SOURCE_PASSWORD = 'Old-Passw0rd!';

/** A source pool and a target pool (with custom:legacy_sub, email recovery, a public app client). */
export const createPools = async (emulator: CognitoEmulator) => {
  const admin = emulatorClient(emulator);
  const pool = async (name: string, schema: boolean) => {
    const { UserPool } = await admin.send(
      new CreateUserPoolCommand({
        PoolName: name,
        UsernameConfiguration: { CaseSensitive: false },
        AutoVerifiedAttributes: ['email'],
        AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
        ...(schema ? { Schema: [{ Name: 'legacy_sub', AttributeDataType: 'String', Mutable: true }] } : {}),
      }),
    );
    const { UserPoolClient } = await admin.send(
      new CreateUserPoolClientCommand({
        UserPoolId: UserPool!.Id!,
        ClientName: 'app',
        ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      }),
    );
    return { poolId: UserPool!.Id!, clientId: UserPoolClient!.ClientId! };
  };
  const source = await pool('source', false);
  const target = await pool('target', true);
  return { admin, source, target };
};

/**
 * Reconcile deps against the emulator: real SDK clients, each with a rate limiter on the test's
 * manual clock (the emulator meters quotas on the same clock, so nothing really waits).
 */
export const emulatorDeps = (
  emulator: CognitoEmulator,
  table: TableContext,
  clock: ManualClock,
  pools: { source: string; target: string },
  overrides: Partial<ConfigInput> = {},
): ReconcileDeps => {
  const config = parseConfig({
    source: { userPoolId: pools.source, migrationClientId: 'unused' },
    target: { userPoolId: pools.target },
    tableName: table.tableName,
    migrationWindowEnd: new Date(WINDOW_END).toISOString(),
    ...overrides,
  });
  const source = emulatorClient(emulator);
  const target = emulatorClient(emulator);
  applyRateLimiter(source, createRateLimiter({ config, clock }));
  applyRateLimiter(target, createRateLimiter({ config, clock }));
  return {
    config,
    table,
    source,
    target,
    logger: silentLogger,
    clock,
    targetSchema: () => describeTargetSchema(target, pools.target),
    concurrency: 4,
    budgetMs: 10 * 60_000,
    randomPassword: () => `${Math.random().toString(36).slice(2)}Aa1!xyzXYZ`,
  };
};

/** What a bulk sync leaves behind: snapshot, counters, login keys, groups and memberships. */
export const seedSnapshot = async (
  table: TableContext,
  users: readonly (SourceUserSnapshot & { groups?: string[] })[],
  groups: readonly string[],
) => {
  for (const groupName of groups) await putGroup(table, { groupName, description: `${groupName} group` });
  for (const user of users) {
    const { created } = await upsertSnapshot(table, user);
    if (created) await addCounters(table, { total: 1, PENDING: 1 });
    await addUserGroups(table, user.username, user.groups ?? []);
  }
  await putLoginKeys(table, users);
};

/** Puts a source user in the source pool, as it was when the snapshot was taken. */
export const putInSource = (
  emulator: CognitoEmulator,
  poolId: string,
  user: SourceUserSnapshot,
  groups: string[] = [],
) =>
  emulator.store.createUserDirect(poolId, {
    username: user.username,
    attributes: Object.fromEntries(Object.entries(user.attributes).filter(([name]) => name !== 'sub')),
    enabled: user.enabled,
    password: SOURCE_PASSWORD,
    groups,
  });

/** What a lazy sign-in leaves in the target pool: the user with its password and legacy sub. */
export const putInTarget = (emulator: CognitoEmulator, poolId: string, user: SourceUserSnapshot) =>
  emulator.store.createUserDirect(poolId, {
    username: user.username,
    attributes: {
      email: user.attributes.email ?? '',
      email_verified: user.attributes.email_verified ?? 'false',
      'custom:legacy_sub': user.sub,
    },
    password: SOURCE_PASSWORD,
  });
