import { readMigrationAssembly, type MigrationAssembly } from '#local/artifacts/assembly';

let cached: MigrationAssembly | undefined;

/** The cloud assembly jest's globalSetup synthesized (test/setup/synthesize.ts), read once per worker. */
export const testAssembly = (): MigrationAssembly => {
  const directory = process.env.COGNITO_MIGRATE_ASSEMBLY;
  if (!directory)
    throw new Error('COGNITO_MIGRATE_ASSEMBLY is not set: run through jest (globalSetup synthesizes)');
  cached ??= readMigrationAssembly(directory);
  return cached;
};
