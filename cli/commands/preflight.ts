import {
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  DescribeUserPoolCommand,
  ListUsersCommand,
  type CognitoIdentityProviderClient,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Command } from 'commander';
import { loginKeysOf } from '#shared/table/login-keys';
import { getProgress } from '#shared/table/progress';
import type { Connection } from '../connection';
import { CliError, EXIT } from '../exit-codes';
import type { CommandFactory } from '../context';
import type { Output } from '../output';
import { runPreflightChecks, type Finding } from '../preflight-checks';

export interface PreflightReport {
  ok: boolean;
  blockers: number;
  warnings: number;
  findings: Finding[];
  sourceUsersScanned?: number;
}

const describeClient = async (
  client: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string | undefined,
): Promise<UserPoolClientType | undefined> => {
  if (!clientId) return undefined;
  const { UserPoolClient } = await client.send(
    new DescribeUserPoolClientCommand({ UserPoolId: userPoolId, ClientId: clientId }),
  );
  return UserPoolClient;
};

/** Every app client of a pool, described (the list alone does not carry WriteAttributes). */
const describeAllClients = async (
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<UserPoolClientType[]> => {
  const clients: UserPoolClientType[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60, NextToken: token }),
    );
    for (const { ClientId } of page.UserPoolClients ?? []) {
      const described = await describeClient(client, userPoolId, ClientId);
      if (described) clients.push(described);
    }
    token = page.NextToken;
  } while (token);
  return clients;
};

/**
 * Pages through the source (ListUsers, 60 a page, within the UserList quota share) and returns
 * the login names several source users would share in a case-insensitive target.
 */
export const findCaseCollisions = async (
  source: CognitoIdentityProviderClient,
  userPoolId: string,
  output?: Output,
  estimated = 0,
): Promise<{ collisions: Record<string, string[]>; scanned: number }> => {
  const owners = new Map<string, string | string[]>();
  const bar = output?.progress('scanning source names', estimated);
  let scanned = 0;
  let token: string | undefined;
  do {
    const page = await source.send(
      new ListUsersCommand({
        UserPoolId: userPoolId,
        Limit: 60,
        ...(token ? { PaginationToken: token } : {}),
      }),
    );
    for (const user of page.Users ?? []) {
      const attributes = Object.fromEntries(
        (user.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']),
      );
      for (const key of loginKeysOf({ username: user.Username ?? '', attributes })) {
        const seen = owners.get(key.value);
        // A string for the common single owner keeps memory at one entry per name.
        if (seen === undefined) owners.set(key.value, user.Username ?? '');
        else if (typeof seen === 'string') {
          if (seen !== user.Username) owners.set(key.value, [seen, user.Username ?? '']);
        } else if (!seen.includes(user.Username ?? '')) seen.push(user.Username ?? '');
      }
    }
    scanned += page.Users?.length ?? 0;
    bar?.update(scanned, Math.max(estimated, scanned));
    token = page.PaginationToken;
  } while (token);
  bar?.stop();
  const collisions: Record<string, string[]> = {};
  for (const [key, names] of owners) if (Array.isArray(names)) collisions[key] = names.sort();
  return { collisions, scanned };
};

/** Runs every preflight check against the live pools and the migration table. */
export const preflight = async (
  connection: Connection,
  options: { scan: boolean; output?: Output },
): Promise<PreflightReport> => {
  const { config, source, target } = connection;
  const [sourcePool, targetPool, sourceClient, targetClient, targetClients, sourceClients, progress] =
    await Promise.all([
      source.send(new DescribeUserPoolCommand({ UserPoolId: config.source.userPoolId })),
      target.send(new DescribeUserPoolCommand({ UserPoolId: config.target.userPoolId })),
      describeClient(source, config.source.userPoolId, config.source.migrationClientId),
      describeClient(target, config.target.userPoolId, config.target.clientId),
      describeAllClients(target, config.target.userPoolId),
      // Only a scope needs them (who may write its attribute); the source may be another account's.
      config.migrationScope
        ? describeAllClients(source, config.source.userPoolId).catch(() => undefined)
        : undefined,
      getProgress(connection.table).catch(() => undefined),
    ]);
  const sourceUserPool = sourcePool.UserPool ?? {};
  const targetUserPool = targetPool.UserPool ?? {};
  const foldsCase =
    sourceUserPool.UsernameConfiguration?.CaseSensitive !== false &&
    targetUserPool.UsernameConfiguration?.CaseSensitive === false;
  const scan =
    foldsCase && options.scan
      ? await findCaseCollisions(
          source,
          config.source.userPoolId,
          options.output,
          sourceUserPool.EstimatedNumberOfUsers ?? 0,
        )
      : undefined;
  const findings = runPreflightChecks({
    source: sourceUserPool,
    target: targetUserPool,
    ...(sourceClient ? { sourceClient } : {}),
    ...(targetClient ? { targetClient } : {}),
    targetClients,
    ...(sourceClients ? { sourceClients } : {}),
    config,
    ...(scan ? { collisions: scan.collisions } : {}),
    ...(progress
      ? {
          snapshotUsers: progress.total,
          codeRecipients: progress.byStatus.PENDING + progress.byStatus.FLAGGED_FOR_RESET,
        }
      : {}),
  });
  const blockers = findings.filter((f) => f.level === 'BLOCKER').length;
  return {
    ok: blockers === 0,
    blockers,
    warnings: findings.filter((f) => f.level === 'WARNING').length,
    findings,
    ...(scan ? { sourceUsersScanned: scan.scanned } : {}),
  };
};

export const renderPreflight = (report: PreflightReport): string[] => [
  ...report.findings.flatMap((f) => [
    `${f.level.padEnd(7)} ${f.code}: ${f.message}`,
    `        fix: ${f.fix}`,
  ]),
  '',
  report.ok
    ? `preflight passed: no blockers, ${report.warnings} warning(s)`
    : `preflight failed: ${report.blockers} blocker(s), ${report.warnings} warning(s)`,
];

/** `preflight`: compares the pools before the window opens; exit 1 on any blocker. */
export const preflightCommand: CommandFactory = (ctx) =>
  new Command('preflight')
    .description(
      'compare the source and target pools and clients; list BLOCKERs and WARNINGs with their fixes',
    )
    .option('--no-scan', 'skip paging through the source for names that collide in a case-insensitive target')
    .action(async (opts: { scan: boolean }, command: Command) => {
      const output = ctx.output(command);
      const report = await ctx.withConnection(command, (connection) =>
        preflight(connection, { scan: opts.scan, output }),
      );
      output.result(report, () => renderPreflight(report));
      if (!report.ok) throw new CliError(EXIT.FAILED);
    });
