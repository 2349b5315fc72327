import { z } from 'zod';
import { ConfigError } from './errors';
import { QUOTA_CATEGORIES, type QuotaCategory } from './quotas';
import { closest, knownKeysAt } from './schema-keys';
import { readTextFile } from './text-file';
import { formatIssues } from './zod-issues';

const poolId = z.string().regex(/^[\w-]+_[0-9a-zA-Z]+$/, 'a user pool id such as "eu-west-1_AbC123"');
const roleArn = z.string().regex(/^arn:aws[\w-]*:iam::\d{12}:role\/.+$/, 'an IAM role ARN');

/**
 * Where a secret is kept: a Secrets Manager secret (optionally a key of its JSON value) or an
 * SSM SecureString parameter. The configuration holds only this reference; the value is read
 * once per cold start (shared/secrets.ts) and never written to the template or the environment.
 */
export const secretRefSchema = z.union([
  z
    .object({
      secretsManagerArn: z
        .string()
        .regex(/^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:.+$/, 'a Secrets Manager secret ARN'),
      jsonKey: z.string().min(1).optional(),
    })
    .strict(),
  z
    .object({
      ssmParameter: z
        .string()
        .regex(
          /^arn:aws[\w-]*:ssm:[\w-]+:\d{12}:parameter\/.+$/,
          'an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<name>)',
        ),
    })
    .strict(),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

const perCategory = (value: z.ZodNumber) =>
  z
    .record(z.string(), value)
    .refine((record) => Object.keys(record).every((key) => (QUOTA_CATEGORIES as string[]).includes(key)), {
      message: `keys must be quota categories: ${QUOTA_CATEGORIES.join(', ')}`,
    });

const endpoints = z
  .object({
    cognito: z.string().url().optional(),
    sourceCognito: z.string().url().optional(),
    targetCognito: z.string().url().optional(),
    dynamodb: z.string().url().optional(),
    sts: z.string().url().optional(),
    sfn: z.string().url().optional(),
    secretsManager: z.string().url().optional(),
    ssm: z.string().url().optional(),
    lambda: z.string().url().optional(),
    eventBridge: z.string().url().optional(),
  })
  .strict()
  .default({});

/**
 * Which source users this target takes (functions/shared/migration-scope.ts): users whose
 * `attribute` holds one of `values`. Absent: every user. Values are compared exactly.
 */
const migrationScope = z
  .object({
    attribute: z
      .string()
      .min(1, 'a source attribute such as "custom:tenant"')
      .regex(/^[\w:.-]{1,64}$/, 'a source attribute name such as "custom:tenant"'),
    values: z
      .array(z.string().min(1, 'an attribute value, not empty'))
      .min(1, 'at least one value; without values no user would be in scope')
      .refine((values) => new Set(values).size === values.length, { message: 'values must be unique' }),
  })
  .strict();

/** The whole configuration of a migration, validated once and shared by every function and the CLI. */
export const configSchema = z
  .object({
    region: z.string().min(1).default('us-east-1'),
    source: z
      .object({
        userPoolId: poolId,
        region: z.string().min(1).optional(),
        migrationClientId: z.string().min(1, 'the source app client the trigger verifies passwords with'),
        migrationClientSecret: z.string().min(1).optional(),
        /** The migration client's secret, kept in Secrets Manager or SSM (read at cold start). */
        migrationClientSecretRef: secretRefSchema.optional(),
        roleArn: roleArn.optional(),
        externalId: z.string().min(2).max(1224).optional(),
        /** The ExternalId, when it is kept as a secret (read at cold start). */
        externalIdRef: secretRefSchema.optional(),
        retired: z.boolean().default(false),
      })
      .strict()
      .refine((s) => !s.roleArn || s.externalId || s.externalIdRef, {
        message: 'externalId is required when roleArn is set (cross-account access)',
        path: ['externalId'],
      })
      .refine((s) => !(s.migrationClientSecret && s.migrationClientSecretRef), {
        message: 'give migrationClientSecret or migrationClientSecretRef, not both',
        path: ['migrationClientSecretRef'],
      })
      .refine((s) => !(s.externalId && s.externalIdRef), {
        message: 'give externalId or externalIdRef, not both',
        path: ['externalIdRef'],
      }),
    target: z
      .object({
        userPoolId: poolId,
        region: z.string().min(1).optional(),
        clientId: z.string().min(1).optional(),
      })
      .strict(),
    tableName: z.string().regex(/^[\w.-]{3,255}$/, 'a DynamoDB table name'),
    migrationWindowEnd: z.iso.datetime({ offset: true, message: 'an ISO 8601 date-time with offset' }),
    attributeMap: z
      .object({
        legacySubAttribute: z
          .string()
          .regex(/^custom:[\w-]{1,20}$/, 'a custom attribute such as "custom:legacy_sub"')
          .nullable()
          .default('custom:legacy_sub'),
        renames: z.record(z.string(), z.string()).default({}),
        drops: z.array(z.string()).default([]),
      })
      .strict()
      .default({ legacySubAttribute: 'custom:legacy_sub', renames: {}, drops: [] }),
    mfaPolicy: z.enum(['reset', 'reject']).default('reset'),
    disabledUsers: z.enum(['create-disabled', 'skip']).default('create-disabled'),
    /** Only these source users are snapshotted, migrated, flagged and reset. @default every user */
    migrationScope: migrationScope.optional(),
    groupRoleArnMap: z.record(z.string(), roleArn).default({}),
    quotaShare: z.number().gt(0).max(1).default(0.5),
    quotaShareByCategory: perCategory(z.number().gt(0).max(1)).default({}),
    /** The account's Cognito quotas (requests/s) where AWS raised them above the defaults. */
    accountQuotas: perCategory(z.number().positive()).default({}),
    resetCampaign: z
      .object({ onSchedule: z.boolean().default(false), batchLimit: z.number().int().positive().optional() })
      .strict()
      .default({ onSchedule: false }),
    triggerDeadlineMs: z.number().int().min(500).max(4500).default(3000),
    sdk: z
      .object({
        connectionTimeoutMs: z.number().int().positive().default(1000),
        requestTimeoutMs: z.number().int().positive().default(3000),
        maxAttempts: z.number().int().min(1).max(10).default(3),
      })
      .strict()
      .default({ connectionTimeoutMs: 1000, requestTimeoutMs: 3000, maxAttempts: 3 }),
    endpoints,
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1) })
      .strict()
      .optional(),
    /**
     * The EventBridge bus that gets one `UserMigrated` event per migrated user (source `cognito-migrate`).
     * @default 'default' (the account's default bus)
     */
    eventBusName: z
      .string()
      .regex(/^[\w.\-/]{1,256}$/, 'an EventBridge bus name such as "default" or "migration-events"')
      .default('default'),
    stateMachineArn: z.string().optional(),
    groupSyncFunctionName: z.string().optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    // A pool id starts with its Region; a mismatch would send every call to a pool that is not there.
    for (const side of ['source', 'target'] as const) {
      const region = config[side].region ?? config.region;
      const poolRegion = config[side].userPoolId.split('_')[0];
      if (poolRegion !== region) {
        ctx.addIssue({
          code: 'custom',
          path: [side, 'userPoolId'],
          message: `the pool is in ${poolRegion} but ${config[side].region ? `${side}.region` : 'region'} is ${region}; set ${side}.region to ${poolRegion}`,
        });
      }
    }
    if (config.source.userPoolId === config.target.userPoolId) {
      ctx.addIssue({
        code: 'custom',
        path: ['target', 'userPoolId'],
        message: 'source and target are the same pool; the target must be another pool',
      });
    }
  });

export type MigrationConfig = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

/** Validates raw configuration; every bad field is listed in one ConfigError. */
export const parseConfig = (raw: unknown): MigrationConfig => {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') {
      const path = issue.path.map(String);
      const known = knownKeysAt(configSchema, path);
      return issue.keys.map((key) => {
        const near = closest(key, known);
        return `${[...path, key].join('.')}: unknown key${near ? ` (did you mean "${near}"?)` : ''}`;
      });
    }
    const missing = issue.code === 'invalid_type' && / received undefined$/.test(issue.message);
    return formatIssues([missing ? { ...issue, message: 'required' } : issue]);
  });
  throw new ConfigError(`Invalid configuration: ${issues.join('; ')}`, issues);
};

/**
 * Flat environment variables that override the JSON configuration, for Lambda and the CLI.
 * AWS_REGION is not one of them: Lambda sets it to the function's Region and an operator's shell
 * may hold any Region, so it only fills `region` when the configuration names none.
 */
const ENV_OVERRIDES: Record<string, string[]> = {
  SOURCE_USER_POOL_ID: ['source', 'userPoolId'],
  SOURCE_MIGRATION_CLIENT_ID: ['source', 'migrationClientId'],
  SOURCE_ROLE_ARN: ['source', 'roleArn'],
  SOURCE_EXTERNAL_ID: ['source', 'externalId'],
  TARGET_USER_POOL_ID: ['target', 'userPoolId'],
  MIGRATION_TABLE_NAME: ['tableName'],
  MIGRATION_WINDOW_END: ['migrationWindowEnd'],
  COGNITO_ENDPOINT: ['endpoints', 'cognito'],
  DYNAMODB_ENDPOINT: ['endpoints', 'dynamodb'],
  STATE_MACHINE_ARN: ['stateMachineArn'],
  MIGRATION_EVENT_BUS: ['eventBusName'],
};

const setPath = (target: Record<string, unknown>, path: string[], value: unknown): void => {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    node[key] = typeof child === 'object' && child !== null ? child : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
};

const parseJson = (text: string, origin: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`${origin} is not a JSON object: ${(error as Error).message}`, [origin]);
  }
};

const readConfigFile = (path: string): Record<string, unknown> =>
  parseJson(readTextFile(path, 'configuration file'), `Configuration file "${path}"`);

/**
 * Loads the configuration from `COGNITO_MIGRATE_CONFIG` (JSON) or `COGNITO_MIGRATE_CONFIG_FILE`,
 * then applies the flat overrides above. Handlers call this once per cold start.
 */
export const loadConfig = (env: NodeJS.ProcessEnv, options: { file?: string } = {}): MigrationConfig => {
  const file = options.file ?? env.COGNITO_MIGRATE_CONFIG_FILE;
  const raw: Record<string, unknown> = file
    ? readConfigFile(file)
    : env.COGNITO_MIGRATE_CONFIG
      ? parseJson(env.COGNITO_MIGRATE_CONFIG, 'COGNITO_MIGRATE_CONFIG')
      : {};
  for (const [name, path] of Object.entries(ENV_OVERRIDES)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, value);
  }
  if (raw.region === undefined && env.AWS_REGION) raw.region = env.AWS_REGION;
  try {
    return parseConfig(raw);
  } catch (error) {
    // Name where the bad value came from, so the one error line says which file to fix.
    const origin = file ? `"${file}"` : env.COGNITO_MIGRATE_CONFIG ? 'COGNITO_MIGRATE_CONFIG' : undefined;
    if (!(error instanceof ConfigError) || !origin) throw error;
    throw new ConfigError(
      error.message.replace(/^Invalid configuration:/, `Invalid configuration in ${origin}:`),
      error.issues,
      '',
    );
  }
};

/** The share of a category's default quota this migrator may spend. */
export const quotaShareFor = (
  config: Pick<MigrationConfig, 'quotaShare' | 'quotaShareByCategory'>,
  category: QuotaCategory,
): number => config.quotaShareByCategory[category] ?? config.quotaShare;

export const sourceRegion = (config: MigrationConfig): string => config.source.region ?? config.region;
export const targetRegion = (config: MigrationConfig): string => config.target.region ?? config.region;
