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
  /** EventBridge actions on the configured bus (`eventBusName`) only: UserMigrated events. */
  events: readonly string[];
}

/** Publishes the UserMigrated events (the bus is named in the migration configuration). */
const PUBLISH_EVENTS = ['events:PutEvents'] as const;

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
    events: [],
  },
  'group-sync': {
    source: [],
    // AdminGetUser: whether a user whose factor could not move has set up MFA again.
    target: ['cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminGetUser', 'cognito-idp:CreateGroup'],
    table: TABLE_READ_WRITE,
    // Hands the groups it could not apply within the trigger's deadline to itself, asynchronously.
    invokes: ['group-sync'],
    // Binds the target sub at the first sign-in, which is when most users' event becomes due.
    events: PUBLISH_EVENTS,
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
    events: [],
  },
  reconcile: {
    source: ['cognito-idp:AdminGetUser'],
    target: [
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminDeleteUser',
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
    // The campaign's RESET_SENT users, repaired migrations, and stale claims republished.
    events: PUBLISH_EVENTS,
  },
};

/**
 * What the operator's CLI calls on the source pool: preflight (DescribeUserPool,
 * DescribeUserPoolClient, ListUsers for the case-collision scan), reconcile and reset-campaign
 * (AdminGetUser), and the group listings. Reads only: never AdminInitiateAuth, so an operator
 * cannot test a source user's password.
 */
export const OPERATOR_SOURCE_ACTIONS: readonly string[] = [
  'cognito-idp:AdminGetUser',
  'cognito-idp:DescribeUserPool',
  'cognito-idp:DescribeUserPoolClient',
  'cognito-idp:ListGroups',
  'cognito-idp:ListUsers',
  'cognito-idp:ListUsersInGroup',
];

/** The functions that read the source pool: each gets its own source role. */
export const sourceReaders = (): FunctionName[] =>
  FUNCTION_NAMES.filter((name) => FUNCTION_PERMISSIONS[name].source.length > 0);

/** Who a source role is for: one of the reading functions, or the operator's CLI. */
export type SourceRoleUser = FunctionName | 'operator';

/** A source role's name: the configured base name plus who uses it (`cognito-migrate-source-read-lazy-migrate`). */
export const sourceRoleName = (baseName: string, user: SourceRoleUser): string => `${baseName}-${user}`;

/** The functions that need the source migration client's secret: only the password check uses the client. */
export const CLIENT_SECRET_READERS: readonly FunctionName[] = ['lazy-migrate'];

/** Fixed physical names, so the source account can name the roles and the pool can name the triggers without a cycle. */
export const functionName = (stage: string, name: FunctionName): string => `cognito-migrate-${stage}-${name}`;

/** IAM role names are global per account; the region keeps two regional deployments apart. */
export const functionRoleName = (stage: string, name: FunctionName, region: string): string =>
  `cognito-migrate-${stage}-${name}-${region}`;
