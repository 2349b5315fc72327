import { invalidParameter } from '../errors';
import { parseFilter } from '../filter';
import { userType } from '../user-view';
import type { Operation } from '../context';

interface PageToken {
  f: string;
  k: string;
}

/** Reads `Limit`: 1 to 60, 60 when omitted, InvalidParameterException otherwise (AWS's rule). */
export function pageLimit(value: unknown, field = 'Limit'): number {
  if (value === undefined) return 60;
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 60)
    throw invalidParameter(
      `1 validation error detected: Value '${String(value)}' at '${field.toLowerCase()}' failed to satisfy constraint: Member must have value less than or equal to 60`,
    );
  return (value as number) === 0 ? 60 : (value as number);
}

/** An opaque token: the last index entry returned, bound to the query it continues. */
export function encodeToken(token: PageToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

export function decodeToken(raw: unknown, query: string): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  try {
    const token = JSON.parse(Buffer.from(String(raw), 'base64url').toString('utf8')) as PageToken;
    if (token.f === query && typeof token.k === 'string') return token.k;
  } catch {
    // falls through to the error below
  }
  throw invalidParameter('Invalid pagination token.');
}

/**
 * AWS: "Amazon Cognito returns an error if not all users in the results have set a value for the
 * attribute you request" (ListUsers, AttributesToGet). A migrator that asks for a custom attribute
 * some users lack must find out here, not in production.
 */
function requireAttributes(attributes: Record<string, string>, names: readonly string[] | undefined): void {
  for (const name of names ?? []) {
    if (attributes[name] === undefined)
      throw invalidParameter(
        `AttributesToGet names "${name}", which not every user in the results has a value for.`,
      );
  }
}

/**
 * ListUsers through the pool's indexes: a page costs O(log n + page) whether the pool holds ten
 * users or a million, with or without a filter.
 */
const ListUsers: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const limit = pageLimit(input.Limit);
  const filter = parseFilter(input.Filter);
  const query = filter ? `${filter.attribute}${filter.exact ? '=' : '^='}${filter.value}` : '';
  const after = decodeToken(input.PaginationToken, query);
  const attributesToGet = input.AttributesToGet as string[] | undefined;
  const scan = filter
    ? pool.index.scan(
        filter.attribute,
        pool.index.normalise(filter.attribute, filter.value),
        filter.exact,
        after,
      )
    : pool.index.all(after);
  const users: object[] = [];
  let last: string | undefined;
  let more = false;
  for (const [entry, key] of scan) {
    if (users.length === limit) {
      more = true;
      break;
    }
    const user = pool.users.get(key);
    if (!user) continue;
    requireAttributes(user.attributes, attributesToGet);
    users.push(userType(user, attributesToGet));
    last = entry;
  }
  return {
    Users: users,
    ...(more && last !== undefined ? { PaginationToken: encodeToken({ f: query, k: last }) } : {}),
  };
};

export const listOperations: Record<string, Operation> = { ListUsers };
