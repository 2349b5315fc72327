import { groupExists, invalidParameter, resourceNotFound } from '../errors';
import { SortedIndex } from '../sorted-index';
import { userType } from '../user-view';
import { decodeToken, encodeToken, pageLimit } from './list-users';
import { seconds, type Operation } from '../context';
import type { GroupRecord, PoolRecord } from '../types';

function requireGroup(pool: PoolRecord, name: unknown): GroupRecord {
  const group = typeof name === 'string' ? pool.groups.get(name) : undefined;
  if (!group) throw resourceNotFound('Group not found.');
  return group;
}

// ArnType of the Cognito API model (CreateGroup/UpdateGroup RoleArn): 20 to 2048 characters.
const ARN =
  /^arn:[\w+=/,.@-]+:[\w+=/,.@-]+:([\w+=/,.@-]*)?:[0-9]+:[\w+=/,.@-]+(:[\w+=/,.@-]+)?(:[\w+=/,.@-]+)?$/;

/** Refuses a RoleArn outside the API's ArnType constraints, with AWS's validation wording. */
function checkRoleArn(value: unknown): void {
  if (value === undefined || value === null) return;
  const arn = String(value);
  if (arn.length < 20 || arn.length > 2048)
    throw invalidParameter(
      `1 validation error detected: Value '${arn}' at 'roleArn' failed to satisfy constraint: Member must have length ${arn.length < 20 ? 'greater than or equal to 20' : 'less than or equal to 2048'}`,
    );
  if (!ARN.test(arn))
    throw invalidParameter(
      `1 validation error detected: Value '${arn}' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ARN.source.slice(1, -1)}`,
    );
}

function groupType(pool: PoolRecord, group: GroupRecord): object {
  return {
    GroupName: group.name,
    UserPoolId: pool.id,
    Description: group.description,
    RoleArn: group.roleArn,
    Precedence: group.precedence,
    CreationDate: seconds(group.created),
    LastModifiedDate: seconds(group.modified),
  };
}

/** Reads one page of a sorted index after an opaque token. */
function page<T>(
  index: SortedIndex,
  token: unknown,
  query: string,
  limit: number,
  map: (key: string) => T | undefined,
) {
  const after = decodeToken(token, query);
  const items: T[] = [];
  let last: string | undefined;
  let more = false;
  for (const key of after === undefined ? index.from() : index.from(after, true)) {
    if (items.length === limit) {
      more = true;
      break;
    }
    const item = map(key);
    if (item === undefined) continue;
    items.push(item);
    last = key;
  }
  return { items, next: more && last !== undefined ? encodeToken({ f: query, k: last }) : undefined };
}

const CreateGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const name = input.GroupName;
  if (typeof name !== 'string' || name === '' || name.length > 128)
    throw invalidParameter('GroupName is required.');
  checkRoleArn(input.RoleArn);
  if (pool.groups.has(name)) throw groupExists('A group with the name already exists.');
  const now = ctx.now();
  const group: GroupRecord = {
    name,
    description: input.Description,
    roleArn: input.RoleArn,
    precedence: input.Precedence,
    created: now,
    modified: now,
    members: new SortedIndex(),
  };
  pool.groups.set(name, group);
  pool.groupNames.add(name);
  return { Group: groupType(pool, group) };
};

const GetGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  return { Group: groupType(pool, requireGroup(pool, input.GroupName)) };
};

const UpdateGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const group = requireGroup(pool, input.GroupName);
  checkRoleArn(input.RoleArn);
  if ('Description' in input) group.description = input.Description;
  if ('RoleArn' in input) group.roleArn = input.RoleArn;
  if ('Precedence' in input) group.precedence = input.Precedence;
  group.modified = ctx.now();
  return { Group: groupType(pool, group) };
};

const DeleteGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const group = requireGroup(pool, input.GroupName);
  for (const key of group.members.from()) pool.users.get(key)?.groups.delete(group.name);
  pool.groups.delete(group.name);
  pool.groupNames.delete(group.name);
  return {};
};

const ListGroups: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const { items, next } = page(pool.groupNames, input.NextToken, 'groups', pageLimit(input.Limit), (name) => {
    const group = pool.groups.get(name);
    return group && groupType(pool, group);
  });
  return { Groups: items, ...(next ? { NextToken: next } : {}) };
};

const ListUsersInGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const group = requireGroup(pool, input.GroupName);
  const { items, next } = page(
    group.members,
    input.NextToken,
    `members:${group.name}`,
    pageLimit(input.Limit),
    (key) => {
      const user = pool.users.get(key);
      return user && userType(user);
    },
  );
  return { Users: items, ...(next ? { NextToken: next } : {}) };
};

const AdminListGroupsForUser: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const user = ctx.store.requireUser(pool, input.Username);
  const names = new SortedIndex();
  for (const name of user.groups) names.add(name);
  const { items, next } = page(
    names,
    input.NextToken,
    `groups-of:${user.key}`,
    pageLimit(input.Limit),
    (name) => {
      const group = pool.groups.get(name);
      return group && groupType(pool, group);
    },
  );
  return { Groups: items, ...(next ? { NextToken: next } : {}) };
};

const AdminAddUserToGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const group = requireGroup(pool, input.GroupName);
  const user = ctx.store.requireUser(pool, input.Username);
  group.members.add(user.key);
  user.groups.add(group.name);
  return {};
};

const AdminRemoveUserFromGroup: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const group = requireGroup(pool, input.GroupName);
  const user = ctx.store.requireUser(pool, input.Username);
  group.members.delete(user.key);
  user.groups.delete(group.name);
  return {};
};

/** A user's groups in token order: by precedence (lowest first, unset last), then name. */
export function orderedGroups(pool: PoolRecord, names: Iterable<string>): GroupRecord[] {
  return [...names]
    .map((n) => pool.groups.get(n))
    .filter((g): g is GroupRecord => g !== undefined)
    .sort((a, b) => (a.precedence ?? Infinity) - (b.precedence ?? Infinity) || a.name.localeCompare(b.name));
}

export const groupOperations: Record<string, Operation> = {
  CreateGroup,
  GetGroup,
  UpdateGroup,
  DeleteGroup,
  ListGroups,
  ListUsersInGroup,
  AdminListGroupsForUser,
  AdminAddUserToGroup,
  AdminRemoveUserFromGroup,
};
