/** The four Lambda functions of the migration, by folder name under functions/. */
export const FUNCTION_NAMES = ['lazy-migrate', 'group-sync', 'bulk-export', 'reconcile'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Functions Cognito invokes as triggers: Cognito waits at most 5 s for them. */
export const TRIGGER_FUNCTIONS: readonly FunctionName[] = ['lazy-migrate', 'group-sync'];

/** What one function may do, and nothing more. A test checks these lists against the calls in its source. */
export interface FunctionPermissions {
  /** Cognito actions on the source pool (through the source role when cross-account). */
  source: readonly string[];
  /** Cognito actions on the target pool. */
  target: readonly string[];
  /** DynamoDB actions on the migration table and its status index. */
  table: readonly string[];
  /** Functions it invokes asynchronously. */
  invokes: readonly FunctionName[];
}

const TABLE_READ_WRITE = [
  'dynamodb:BatchWriteItem',
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:Query',
  'dynamodb:UpdateItem',
] as const;

/**
 * Least privilege per function: exactly the calls its code makes (test/infra/permissions.test.ts
 * walks each handler's imports and compares). RevokeToken is deliberately absent although
 * lazy-migrate calls it: Cognito does not evaluate IAM policies for RevokeToken (it is
 * authorised by the app client; API reference: "you can't grant IAM permissions in policies").
 */
export const FUNCTION_PERMISSIONS: Record<FunctionName, FunctionPermissions> = {
  'lazy-migrate': {
    // ListUsers: who holds an email/phone the snapshot does not know (sign-in, forgot-password, sign-up guard).
    source: ['cognito-idp:AdminGetUser', 'cognito-idp:AdminInitiateAuth', 'cognito-idp:ListUsers'],
    target: ['cognito-idp:DescribeUserPool'],
    table: TABLE_READ_WRITE,
    invokes: [],
  },
  'group-sync': {
    source: [],
    // AdminGetUser: whether a user whose factor could not move has set up MFA again.
    target: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminGetUser', 'cognito-idp:CreateGroup'],
    table: TABLE_READ_WRITE,
    // Hands the groups it could not apply within the trigger's deadline to itself, asynchronously.
    invokes: ['group-sync'],
  },
  'bulk-export': {
    source: [
      'cognito-idp:DescribeUserPool',
      'cognito-idp:ListGroups',
      'cognito-idp:ListUsers',
      'cognito-idp:ListUsersInGroup',
    ],
    target: ['cognito-idp:CreateGroup', 'cognito-idp:DescribeUserPool', 'cognito-idp:UpdateGroup'],
    table: [...TABLE_READ_WRITE, 'dynamodb:Scan'].sort(),
    invokes: [],
  },
  reconcile: {
    source: ['cognito-idp:AdminGetUser'],
    target: [
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminDisableUser',
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminResetUserPassword',
      'cognito-idp:AdminSetUserPassword',
      'cognito-idp:CreateGroup',
      'cognito-idp:DescribeUserPool',
      'cognito-idp:ListUsers',
    ],
    table: [...TABLE_READ_WRITE, 'dynamodb:DeleteItem'].sort(),
    invokes: [],
  },
};

/** Every action the source role allows: the union of what the functions call on the source pool. */
export const sourceRoleActions = (): string[] =>
  [...new Set(FUNCTION_NAMES.flatMap((name) => FUNCTION_PERMISSIONS[name].source))].sort();

/** The functions that read the source pool, hence the roles the source role trusts. */
export const sourceReaders = (): FunctionName[] =>
  FUNCTION_NAMES.filter((name) => FUNCTION_PERMISSIONS[name].source.length > 0);

/** Fixed physical names, so the source account can name the roles and the pool can name the triggers without a cycle. */
export const functionName = (stage: string, name: FunctionName): string => `cognito-migrate-${stage}-${name}`;

/** IAM role names are global per account; the region keeps two regional deployments apart. */
export const functionRoleName = (stage: string, name: FunctionName, region: string): string =>
  `cognito-migrate-${stage}-${name}-${region}`;
