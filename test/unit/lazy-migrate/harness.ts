import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type {
  PreSignUpTriggerEvent,
  UserMigrationAuthenticationTriggerEvent,
  UserMigrationForgotPasswordTriggerEvent,
} from 'aws-lambda';
import type { TargetSchema } from '#shared/attribute-mapping';
import { systemClock } from '#shared/clock';
import type { ConfigInput, MigrationConfig } from '#shared/config';
import type { AppLogger } from '#shared/logger';
import { putLoginKeys } from '#shared/table/login-keys';
import type { TableContext } from '#shared/table/context';
import { upsertSnapshot, type SourceUserSnapshot } from '#shared/table/users';
import type { Deadline } from '../../../functions/lazy-migrate/deadline';
import type { LazyMigrateDeps } from '../../../functions/lazy-migrate/deps';
import type { OutcomeMetrics } from '../../../functions/lazy-migrate/metrics';
import { aConfig as baseConfig } from '../../support/config';

export const PASSWORD = 'Corr3ct-Horse-Battery';
export const SOURCE_POOL = 'us-east-1_Source1';
export const SOURCE_CLIENT = 'sourcemigrationclient1';

export const aConfig = (overrides: Partial<ConfigInput> = {}): MigrationConfig =>
  baseConfig({
    source: { userPoolId: SOURCE_POOL, migrationClientId: SOURCE_CLIENT },
    target: { userPoolId: 'us-east-1_Target1' },
    migrationWindowEnd: '2026-12-31T00:00:00Z',
    ...overrides,
  });

const writable = (name: string, required = false) => [
  name,
  { name, required, mutable: true, developerOnly: false },
];

export const aTargetSchema = (overrides: Partial<TargetSchema> = {}): TargetSchema => ({
  userPoolId: 'us-east-1_Target1',
  attributes: Object.fromEntries([
    ['sub', { name: 'sub', required: true, mutable: false, developerOnly: false }],
    ...['email', 'email_verified', 'phone_number', 'phone_number_verified', 'name', 'preferred_username'].map(
      (n) => writable(n),
    ),
    writable('custom:legacy_sub'),
  ]),
  usernameAttributes: [],
  aliasAttributes: [],
  caseSensitive: false,
  mfaConfiguration: 'OPTIONAL',
  smsMfaAvailable: true,
  ...overrides,
});

const fixture = <T>(name: string): T =>
  JSON.parse(readFileSync(join(__dirname, '../../fixtures/events', `${name}.json`), 'utf8')) as T;

export const signInEvent = (
  userName = 'jane',
  password = PASSWORD,
): UserMigrationAuthenticationTriggerEvent => {
  const event = fixture<UserMigrationAuthenticationTriggerEvent>('user-migration-authentication');
  return { ...event, userName, request: { ...event.request, password } };
};

export const forgotPasswordEvent = (userName = 'jane'): UserMigrationForgotPasswordTriggerEvent => ({
  ...fixture<UserMigrationForgotPasswordTriggerEvent>('user-migration-forgot-password'),
  userName,
});

export const preSignUpEvent = (
  kind: 'sign-up' | 'external-provider' | 'admin-create-user',
  overrides: { userName?: string; userAttributes?: Record<string, string> } = {},
): PreSignUpTriggerEvent => {
  const event = fixture<PreSignUpTriggerEvent>(`pre-sign-up-${kind}`);
  return {
    ...event,
    userName: overrides.userName ?? event.userName,
    request: { ...event.request, userAttributes: overrides.userAttributes ?? event.request.userAttributes },
  };
};

export interface LogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: Record<string, unknown>;
}

/** A logger that keeps what it is given, to assert on reasons. */
export const recordingLogger = (): AppLogger & { entries: LogEntry[] } => {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (message: unknown, data?: unknown): void => {
      entries.push({ level, message: String(message), data: data as Record<string, unknown> });
    };
  return {
    entries,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    appendKeys: () => undefined,
  } as AppLogger & { entries: LogEntry[] };
};

export const recordingMetrics = () => {
  const outcomes: { result: string; reason: string }[] = [];
  const counts: string[] = [];
  const metrics: OutcomeMetrics = {
    outcome: (result, reason) => outcomes.push({ result, reason }),
    count: (name) => counts.push(name),
  };
  return { metrics, outcomes, counts };
};

/** A deadline the test ends by hand. */
export const manualDeadline = () => {
  const controller = new AbortController();
  const deadline: Deadline = {
    signal: controller.signal,
    remainingMs: () => (controller.signal.aborted ? 0 : 2000),
  };
  return { deadline, expire: () => controller.abort(new DOMException('deadline', 'TimeoutError')) };
};

export interface TestDeps extends LazyMigrateDeps {
  logger: ReturnType<typeof recordingLogger>;
  recorded: ReturnType<typeof recordingMetrics>;
  expire: () => void;
}

export const makeDeps = (
  table: TableContext,
  options: { config?: MigrationConfig; schema?: TargetSchema; schemaError?: Error } = {},
): TestDeps => {
  const logger = recordingLogger();
  const recorded = recordingMetrics();
  const { deadline, expire } = manualDeadline();
  return {
    config: options.config ?? aConfig(),
    source: new CognitoIdentityProviderClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }),
    table,
    targetSchema: () =>
      options.schemaError
        ? Promise.reject(options.schemaError)
        : Promise.resolve(options.schema ?? aTargetSchema()),
    logger,
    metrics: recorded.metrics,
    recorded,
    clock: systemClock,
    startDeadline: () => deadline,
    expire,
  };
};

/** Writes a source user's snapshot and login keys, as the bulk sync would. */
export const seedSnapshot = async (table: TableContext, user: SourceUserSnapshot): Promise<void> => {
  await upsertSnapshot(table, user);
  await putLoginKeys(table, [user]);
};

/** An unsigned JWT: the trigger reads claims of a token it received straight from Cognito. */
export const anIdToken = (claims: Record<string, unknown>): string => {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'k' })}.${part({ token_use: 'id', ...claims })}.c2lnbmF0dXJl`;
};

/** AdminGetUser's answer for a snapshot user. */
export const adminGetUserOf = (user: SourceUserSnapshot, extra: { UserMFASettingList?: string[] } = {}) => ({
  Username: user.username,
  UserAttributes: Object.entries(user.attributes).map(([Name, Value]) => ({ Name, Value })),
  UserStatus: user.userStatus as 'CONFIRMED',
  Enabled: user.enabled,
  ...extra,
});
