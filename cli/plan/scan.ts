import {
  AdminGetUserCommand,
  DescribeUserPoolCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  type CognitoIdentityProviderClient,
  type UserPoolType,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';
import pLimit from 'p-limit';
import { inScope, type MigrationScope } from '#shared/migration-scope';
import type { Progress } from '../output';

export type MfaKind = 'none' | 'sms' | 'totp' | 'unknown';

/** What `plan` keeps of one source user: enough to count, classify and find collisions. */
export interface ScannedUser {
  username: string;
  status: string;
  enabled: boolean;
  email?: string;
  emailVerified: boolean;
  phone?: string;
  phoneVerified: boolean;
  preferredUsername?: string;
  federated: boolean;
  mfa: MfaKind;
  groups: string[];
  /** Set when the user is outside the configured migration scope (not this target's). */
  outOfScope?: true;
}

export interface SourceScan {
  pool: UserPoolType;
  users: ScannedUser[];
  groups: { name: string; members: number }[];
  /** Read calls made, by operation: the source is only ever read. */
  calls: Record<string, number>;
}

export interface ScanOptions {
  /** Ask AdminGetUser for each user's MFA factors (UserRead quota); skipped when the pool's MFA is OFF. */
  mfaDetail: boolean;
  progress?: (label: string, total: number) => Progress;
  /** Called once the pool is described, before any user is read (to say how long the scan will take). */
  onDescribed?: (pool: UserPoolType) => void;
  /** The configured migration scope: users outside it are marked, and their MFA is not read. */
  scope?: MigrationScope;
}

const attributesOf = (user: UserType) =>
  Object.fromEntries((user.Attributes ?? []).map((a) => [a.Name ?? '', a.Value ?? '']));

const scannedUser = (user: UserType, pool: UserPoolType, scope: MigrationScope | undefined): ScannedUser => {
  const attributes = attributesOf(user);
  return {
    ...(inScope(attributes, scope) ? {} : { outOfScope: true as const }),
    username: user.Username ?? '',
    status: user.UserStatus ?? 'UNKNOWN',
    enabled: user.Enabled !== false,
    ...(attributes.email ? { email: attributes.email } : {}),
    emailVerified: attributes.email_verified === 'true',
    ...(attributes.phone_number ? { phone: attributes.phone_number } : {}),
    phoneVerified: attributes.phone_number_verified === 'true',
    ...(attributes.preferred_username ? { preferredUsername: attributes.preferred_username } : {}),
    federated: user.UserStatus === 'EXTERNAL_PROVIDER' || Boolean(attributes.identities),
    // ListUsers shows legacy SMS MFA options only; AdminGetUser tells the rest.
    mfa: (pool.MfaConfiguration ?? 'OFF') === 'OFF' ? 'none' : user.MFAOptions?.length ? 'sms' : 'unknown',
    groups: [],
  };
};

/**
 * Reads the source pool and nothing else: DescribeUserPool, every ListUsers page, every group and
 * its members, and (optionally) each user's MFA factors. Every call goes through the client's
 * rate limiter, so the scan spends at most the configured quota share.
 */
export const scanSource = async (
  source: CognitoIdentityProviderClient,
  userPoolId: string,
  options: ScanOptions,
): Promise<SourceScan> => {
  const calls: Record<string, number> = {};
  const send = <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    calls[operation] = (calls[operation] ?? 0) + 1;
    return run();
  };
  const { UserPool: pool = {} } = await send('DescribeUserPool', () =>
    source.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })),
  );
  options.onDescribed?.(pool);
  const users = new Map<string, ScannedUser>();
  const bar = options.progress?.('reading source users', pool.EstimatedNumberOfUsers ?? 0);
  let token: string | undefined;
  do {
    const page = await send('ListUsers', () =>
      source.send(new ListUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token })),
    );
    for (const user of page.Users ?? [])
      users.set(user.Username ?? '', scannedUser(user, pool, options.scope));
    bar?.update(users.size, Math.max(users.size, pool.EstimatedNumberOfUsers ?? 0));
    token = page.PaginationToken;
  } while (token);
  bar?.stop();

  const groups: SourceScan['groups'] = [];
  let groupToken: string | undefined;
  do {
    const page = await send('ListGroups', () =>
      source.send(new ListGroupsCommand({ UserPoolId: userPoolId, Limit: 60, NextToken: groupToken })),
    );
    for (const group of page.Groups ?? []) {
      let members = 0;
      let memberToken: string | undefined;
      do {
        const members_ = await send('ListUsersInGroup', () =>
          source.send(
            new ListUsersInGroupCommand({
              UserPoolId: userPoolId,
              GroupName: group.GroupName,
              Limit: 60,
              NextToken: memberToken,
            }),
          ),
        );
        for (const member of members_.Users ?? []) {
          users.get(member.Username ?? '')?.groups.push(group.GroupName ?? '');
          members += 1;
        }
        memberToken = members_.NextToken;
      } while (memberToken);
      groups.push({ name: group.GroupName ?? '', members });
    }
    groupToken = page.NextToken;
  } while (groupToken);

  if (options.mfaDetail && (pool.MfaConfiguration ?? 'OFF') !== 'OFF') {
    const limit = pLimit(8);
    const scoped = [...users.values()].filter((user) => !user.outOfScope);
    const mfaBar = options.progress?.('reading MFA settings', scoped.length);
    let done = 0;
    await Promise.all(
      scoped.map((user) =>
        limit(async () => {
          const got = await send('AdminGetUser', () =>
            source.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: user.username })),
          );
          const factors = got.UserMFASettingList ?? [];
          user.mfa = factors.includes('SOFTWARE_TOKEN_MFA')
            ? 'totp'
            : factors.includes('SMS_MFA') || got.MFAOptions?.length
              ? 'sms'
              : 'none';
          mfaBar?.update((done += 1));
        }),
      ),
    );
    mfaBar?.stop();
  }
  return { pool, users: [...users.values()], groups, calls };
};
