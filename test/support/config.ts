import { parseConfig, type ConfigInput, type MigrationConfig } from '#shared/config';

/**
 * A valid migration configuration for tests: one source and one target pool in us-east-1, table
 * `migration`. `overrides` replace whole top-level keys (pass the full `source` to change one
 * of its fields).
 */
export const aConfig = (overrides: Partial<ConfigInput> = {}): MigrationConfig =>
  parseConfig({
    source: { userPoolId: 'us-east-1_source', migrationClientId: 'source-client' },
    target: { userPoolId: 'us-east-1_target' },
    tableName: 'migration',
    migrationWindowEnd: '2026-12-01T00:00:00Z',
    ...overrides,
  });
