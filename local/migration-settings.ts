import { ConfigError } from '#shared/errors';
import { readTextFile } from '#shared/text-file';
import { parseConfig, type ConfigInput } from '#shared/config';
import type { QuotaOption } from '#local/cognito/quotas';

/**
 * Fields of a MigrationConfig that say where a deployment is (pools, table, endpoints,
 * credentials, deployed resources): a local stack has its own, so a real run's file keeps only
 * its settings (attribute map, MFA policy, disabled users, quota share, window end, ...).
 */
export const DEPLOYMENT_FIELDS = [
  'region',
  'source',
  'target',
  'tableName',
  'endpoints',
  'credentials',
  'stateMachineArn',
  'groupSyncFunctionName',
] as const;

/** The migration settings of a local stack. */
export type MigrationSettings = Omit<Partial<ConfigInput>, (typeof DEPLOYMENT_FIELDS)[number]>;

// A complete deployment part, only so the settings can be validated with the real schema.
const PLACEHOLDER = {
  source: { userPoolId: 'us-east-1_placeholder', migrationClientId: 'placeholder' },
  target: { userPoolId: 'us-east-1_placeholderTarget' },
  tableName: 'placeholder',
  migrationWindowEnd: '2030-01-01T00:00:00Z',
};

/**
 * Reads `--migration-config FILE`: a MigrationConfig JSON file (the real run's, or only its
 * settings). Deployment fields are dropped; the rest is validated with the configuration schema,
 * every problem named with the file and the field.
 */
export const readMigrationSettings = (path: string): MigrationSettings => {
  let raw: unknown;
  try {
    raw = JSON.parse(readTextFile(path, 'migration settings'));
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot read migration settings "${path}": ${(error as Error).message}`, [path]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${path}: expected a JSON object of migration settings`, [path]);
  const settings = Object.fromEntries(
    Object.entries(raw).filter(([key]) => !(DEPLOYMENT_FIELDS as readonly string[]).includes(key)),
  ) as MigrationSettings;
  try {
    parseConfig({ ...PLACEHOLDER, ...settings });
  } catch (error) {
    const issues = error instanceof ConfigError ? error.issues : [(error as Error).message];
    throw new ConfigError(
      `${path}: invalid migration settings: ${issues.join('; ')}`,
      issues.map((issue) => `${path}: ${issue}`),
      '',
    );
  }
  return settings;
};

/**
 * Reads `--quotas`: `off` (no throttling; a rehearsal of the logic), `default` (AWS's default
 * quotas), or a number: an account whose quotas AWS raised by that factor, which both the emulator
 * enforces and the migrator's rate limiters are sized to.
 */
export const parseQuotasOption = (value: string): { quotas: QuotaOption; accountQuotaScale?: number } => {
  if (value === 'off' || value === 'default') return { quotas: value };
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new ConfigError(
      `--quotas must be off, default or a positive number (a scale of the defaults), got "${value}"`,
      ['--quotas'],
    );
  return { quotas: { scale }, accountQuotaScale: scale };
};
