import { z } from 'zod';
import { parseConfig, type ConfigInput, type MigrationConfig } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { formatIssues } from '#shared/zod-issues';
import { sourceReaders, sourceRoleName, type FunctionName, type SourceRoleUser } from './permissions';
import { readTextFile } from '#shared/text-file';

const account = z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id');
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS Region such as "eu-west-1"');

/** EventBridge Scheduler expressions: `rate(...)`, `cron(...)` or a one-time `at(...)`. */
const scheduleExpression = z
  .string()
  .regex(
    /^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(\S+( \S+){5}\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/,
    'an EventBridge Scheduler expression such as "rate(1 hour)" or "cron(0 * * * ? *)"',
  );

const customAttribute = z.object({
  type: z.enum(['String', 'Number', 'Boolean', 'DateTime']).default('String'),
  mutable: z.boolean().default(true),
});

/** How a target pool the stack creates looks. It must accept what the source pool accepted. */
const newTargetPool = z
  .object({
    create: z.literal(true),
    /** @default `cognito-migrate-<stage>-target` */
    poolName: z.string().min(1).max(128).optional(),
    /** Attributes that replace the username (sign in with email / phone number instead of a username). */
    usernameAttributes: z.array(z.enum(['email', 'phone_number'])).default([]),
    /** Attributes a user may sign in with besides the username; exclusive with usernameAttributes. */
    aliasAttributes: z.array(z.enum(['email', 'phone_number', 'preferred_username'])).default([]),
    /** Cognito's recommendation and the common source setting: `John` and `john` are one user. */
    caseSensitive: z.boolean().default(false),
    requiredAttributes: z
      .array(z.enum(['email', 'phone_number', 'name', 'given_name', 'family_name']))
      .default([]),
    /** Custom attributes besides the legacy-sub attribute, by name without `custom:`. */
    customAttributes: z.record(z.string().regex(/^[\w-]{1,20}$/), customAttribute).default({}),
    mfa: z.enum(['OFF', 'OPTIONAL', 'ON']).default('OPTIONAL'),
    mfaTypes: z
      .object({ sms: z.boolean().default(true), otp: z.boolean().default(true) })
      .default({ sms: true, otp: true }),
    /**
     * Cognito creates a migrated user with the password the user typed, so the target policy
     * must not be stricter than the source's or those users cannot move.
     */
    passwordPolicy: z
      .object({
        minLength: z.number().int().min(6).max(99).default(8),
        requireLowercase: z.boolean().default(true),
        requireUppercase: z.boolean().default(true),
        requireDigits: z.boolean().default(true),
        requireSymbols: z.boolean().default(true),
        tempPasswordValidityDays: z.number().int().min(1).max(365).default(7),
      })
      .default({
        minLength: 8,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidityDays: 7,
      }),
    selfSignUpEnabled: z.boolean().default(true),
    accountRecovery: z
      .enum(['EMAIL_ONLY', 'PHONE_ONLY_WITHOUT_MFA', 'EMAIL_AND_PHONE_WITHOUT_MFA'])
      .default('EMAIL_ONLY'),
    /**
     * Email through Amazon SES instead of Cognito's default account, whose daily limit is far
     * below a reset campaign's volume. The identity (the address, or sesVerifiedDomain) must be
     * verified in SES and out of the sandbox. @default Cognito's default email (preflight blocks
     * a campaign it cannot send)
     */
    email: z
      .object({
        fromEmail: z.email(),
        fromName: z.string().min(1).optional(),
        replyTo: z.email().optional(),
        /** The verified domain identity fromEmail belongs to. @default the address itself is the identity */
        sesVerifiedDomain: z.string().min(3).optional(),
        /** @default the pool's Region (Cognito also accepts us-east-1, us-west-2, eu-west-1) */
        sesRegion: region.optional(),
        /** SES configuration set (event publishing, dedicated IPs, suppression) every email is sent with. */
        configurationSet: z.string().regex(/^[\w-]{1,64}$/, 'an SES configuration set name'),
      })
      .strict()
      .optional(),
    /**
     * OAuth on the created app client. @default off: the migration signs users in with
     * USER_PASSWORD_AUTH; CDK's own default (implicit grant, example.com callback) is never deployed.
     */
    oAuth: z
      .object({
        flows: z.array(z.enum(['code', 'implicit', 'client_credentials'])).min(1),
        scopes: z
          .array(z.enum(['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin']))
          .min(1),
        callbackUrls: z.array(z.string().url()).min(1),
        logoutUrls: z.array(z.string().url()).default([]),
      })
      .strict()
      .optional(),
  })
  .refine((p) => p.usernameAttributes.length === 0 || p.aliasAttributes.length === 0, {
    message: 'usernameAttributes and aliasAttributes are exclusive (Cognito accepts one or the other)',
    path: ['aliasAttributes'],
  });

const existingTargetPool = z.object({ create: z.literal(false) });

const principalArn = z
  .string()
  .regex(
    /^arn:aws[\w-]*:(iam::\d{12}:(role|user)\/.+|sts::\d{12}:assumed-role\/.+)$/,
    'an IAM role or user ARN (wildcards allowed after the account, e.g. an SSO role path)',
  );

const sourceAccess = z
  .object({
    /**
     * Base name of the read-only roles in the source account: one role per reading function
     * (`<roleName>-lazy-migrate`, `-bulk-export`, `-reconcile`) and `<roleName>-operator`.
     * Fixed so the target side can name the ARNs.
     */
    roleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,51}$/, 'an IAM role name of at most 51 characters (a suffix is added)')
      .default('cognito-migrate-source-read'),
    /** Create an app client on the source pool that allows ALLOW_ADMIN_USER_PASSWORD_AUTH only. */
    createMigrationClient: z.boolean().default(true),
    /**
     * Principals (the operator's role, e.g. an IAM Identity Center role ARN, wildcards allowed)
     * that may assume `<roleName>-operator`: read-only source access for the CLI (Describe, List,
     * AdminGetUser; never AdminInitiateAuth). Added to the function roles, never replacing them.
     * @default none: no operator role, and the CLI cannot read a source pool in another account
     */
    operatorPrincipalArns: z.array(principalArn).default([]),
  })
  .strict()
  .default({
    roleName: 'cognito-migrate-source-read',
    createMigrationClient: true,
    operatorPrincipalArns: [],
  });

/** Deployment settings only the CDK app needs (where and how to deploy), validated here. */
export const deploymentSchema = z
  .object({
    targetAccount: account,
    /** @default migration.target.region ?? migration.region */
    targetRegion: region.optional(),
    sourceAccount: account,
    /** @default migration.source.region ?? migration.region */
    sourceRegion: region.optional(),
    targetPool: z.discriminatedUnion('create', [newTargetPool, existingTargetPool]),
    reconcileSchedule: scheduleExpression.default('rate(1 hour)'),
    scheduleTimezone: z.string().min(1).default('UTC'),
    sourceAccess,
    logRetentionDays: z
      .union([
        z.literal(1),
        z.literal(3),
        z.literal(7),
        z.literal(14),
        z.literal(30),
        z.literal(90),
        z.literal(365),
      ])
      .default(30),
    /**
     * Deletion protection on the table and a created pool, and Retain on them and the log groups
     * when the stack is deleted. Explicit, not inferred from the stage name. @default true
     */
    deletionProtection: z.boolean().default(true),
    /** SNS topic every alarm notifies. @default a topic the stack creates (output AlarmTopicArn) */
    alarmTopicArn: z
      .string()
      .regex(/^arn:aws[\w-]*:sns:/, 'an SNS topic ARN')
      .optional(),
    /** Email addresses subscribed to the alarm topic (each confirms once by email). @default none */
    alarmEmails: z.array(z.email()).default([]),
  })
  .strict();

export type DeploymentInput = z.input<typeof deploymentSchema>;
export type Deployment = z.infer<typeof deploymentSchema>;
export type NewTargetPool = z.infer<typeof newTargetPool>;

/** The validated configuration the CDK app deploys. */
export interface InfraConfig {
  stage: string;
  /** Deletion protection and Retain on the data (deployment.deletionProtection). */
  protectData: boolean;
  deployment: Deployment & { targetRegion: string; sourceRegion: string };
  /** The migration configuration the functions receive, exactly as the user wrote it (validated). */
  migrationInput: ConfigInput;
  /** The same, parsed with defaults. `target.userPoolId` is a placeholder when the stack creates the pool. */
  migration: MigrationConfig;
  /** True when the source pool is in another account: the functions and the CLI assume source roles. */
  crossAccount: boolean;
  /** The source role each reading function assumes (cross-account only). */
  sourceRoleArns: Partial<Record<FunctionName, string>>;
  /** The read-only role the CLI assumes, when operatorPrincipalArns are configured (cross-account only). */
  operatorRoleArn: string | undefined;
}

/** Placeholder pool id used to validate a configuration whose target pool the stack creates. */
const PLACEHOLDER_POOL_ID = (regionName: string) => `${regionName}_CreatedByStack`;

const STAGE = /^[a-z][a-z0-9-]{0,15}$/;

const fail = (issues: string[]): never => {
  throw new ConfigError(`Invalid deployment configuration:\n  - ${issues.join('\n  - ')}`, issues);
};

/**
 * Validates a deployment configuration `{ migration, deployment }`: `migration` with the shared
 * schema (the functions receive it as COGNITO_MIGRATE_CONFIG), `deployment` with the infra-only
 * schema above, and the rules that tie them together. Every problem is listed in one ConfigError.
 */
export const parseInfraConfig = (raw: unknown, stage: string): InfraConfig => {
  if (!STAGE.test(stage)) {
    fail([
      `stage: "${stage}" must be lowercase letters, digits and dashes, at most 16 characters (-c stage=dev)`,
    ]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(['(root): must be a JSON object']);
  const { migration, deployment, ...rest } = raw as Record<string, unknown>;
  const issues: string[] = Object.keys(rest).map(
    (key) => `${key}: unknown key; expected "migration" and "deployment"`,
  );
  if (migration === undefined) issues.push('migration: required (the configuration the functions receive)');
  if (deployment === undefined)
    issues.push('deployment: required (accounts, regions, target pool, schedule)');

  const deploymentResult = deploymentSchema.safeParse(deployment ?? {});
  if (!deploymentResult.success) issues.push(...formatIssues(deploymentResult.error.issues, 'deployment'));

  const migrationInput = (
    typeof migration === 'object' && migration !== null ? migration : {}
  ) as ConfigInput;
  const createsPool = deploymentResult.success && deploymentResult.data.targetPool.create;
  const target = (migrationInput.target ?? {}) as Partial<ConfigInput['target']>;
  if (createsPool && target.userPoolId) {
    issues.push(
      'migration.target.userPoolId: must be empty when deployment.targetPool.create is true (the stack creates the pool); ' +
        'set create to false to attach the triggers to that existing pool',
    );
  }
  if (typeof migrationInput.source === 'object' && migrationInput.source?.migrationClientSecret) {
    issues.push(
      'migration.source.migrationClientSecret: a secret must not be deployed in plain text (it would be in the template and ' +
        "the functions' environment); store it in Secrets Manager or an SSM SecureString and give migrationClientSecretRef " +
        '{ "secretsManagerArn": ..., "jsonKey"?: ... } or { "ssmParameter": <parameter ARN> }',
    );
  }
  if (migrationInput.credentials) {
    issues.push('migration.credentials: must not be deployed; the functions use their own roles');
  }
  if (migrationInput.endpoints && Object.keys(migrationInput.endpoints).length > 0) {
    issues.push('migration.endpoints: local endpoints must not be deployed; remove them from this file');
  }
  if (
    typeof migrationInput.source === 'object' &&
    migrationInput.source &&
    'roleArn' in migrationInput.source
  ) {
    issues.push(
      'migration.source.roleArn: set by the stack (one source role per function, named from deployment.sourceAccess.roleName); remove it',
    );
  }
  if (deployment && typeof deployment === 'object' && 'sourceAccess' in deployment) {
    const access = (deployment as { sourceAccess?: Record<string, unknown> }).sourceAccess;
    if (access && 'trustedRoleArns' in access) {
      issues.push(
        'deployment.sourceAccess.trustedRoleArns: replaced by operatorPrincipalArns, which adds an operator role and keeps the function roles',
      );
    }
  }
  if (migrationInput.stateMachineArn || migrationInput.groupSyncFunctionName) {
    issues.push(
      'migration.stateMachineArn / groupSyncFunctionName: set by the stack, remove them from this file',
    );
  }

  const regionName = migrationInput.region ?? 'us-east-1';
  let parsed: MigrationConfig | undefined;
  try {
    // The deployment's sourceRegion names the source pool's Region when the migration part does not.
    const sourceRegion = migrationInput.source?.region ?? deploymentResult.data?.sourceRegion;
    parsed = parseConfig({
      ...migrationInput,
      ...(migrationInput.source && sourceRegion
        ? { source: { ...migrationInput.source, region: sourceRegion } }
        : {}),
      target: {
        ...target,
        userPoolId: createsPool ? PLACEHOLDER_POOL_ID(target.region ?? regionName) : target.userPoolId,
      },
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    issues.push(...error.issues.map((issue) => `migration.${issue}`));
  }
  if (issues.length > 0 || !parsed || !deploymentResult.success) return fail(issues);

  const d = deploymentResult.data;
  const targetRegion = d.targetRegion ?? parsed.target.region ?? parsed.region;
  const sourceRegion = d.sourceRegion ?? parsed.source.region ?? parsed.region;
  const crossAccount = d.sourceAccount !== d.targetAccount;
  const roleArn = (user: SourceRoleUser) =>
    `arn:aws:iam::${d.sourceAccount}:role/${sourceRoleName(d.sourceAccess.roleName, user)}`;
  const sourceRoleArns: Partial<Record<FunctionName, string>> = crossAccount
    ? Object.fromEntries(sourceReaders().map((name) => [name, roleArn(name)]))
    : {};
  const operatorRoleArn =
    crossAccount && d.sourceAccess.operatorPrincipalArns.length > 0 ? roleArn('operator') : undefined;
  if (crossAccount && !parsed.source.externalId && !parsed.source.externalIdRef) {
    fail([
      'migration.source.externalId: required when the source pool is in another account ' +
        '(the source role trusts only callers that present it); generate one with `openssl rand -hex 16`',
    ]);
  }
  if (targetRegion !== (parsed.target.region ?? parsed.region)) {
    fail(['deployment.targetRegion: must equal migration.target.region (or migration.region)']);
  }
  return {
    stage,
    protectData: d.deletionProtection,
    deployment: { ...d, targetRegion, sourceRegion },
    migrationInput,
    migration: parsed,
    crossAccount,
    sourceRoleArns,
    operatorRoleArn,
  };
};

/** Reads and validates a deployment configuration file (`-c config=path`). */
export const loadInfraConfig = (path: string, stage: string): InfraConfig => {
  const text = readTextFile(path, 'deployment configuration');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `Deployment configuration "${path}" is not valid JSON: ${(error as Error).message}`,
      [path],
    );
  }
  return parseInfraConfig(raw, stage);
};
