import { join } from 'node:path';
import { synthesize } from '../../local/artifacts/synth';

/** The deployment configuration the artifact-mode tests synthesize: its source pool is in another Region. */
export const ARTIFACTS_TEST_CONFIG = join(__dirname, '..', 'fixtures', 'config.artifacts.json');

/**
 * Jest globalSetup: synthesizes the cloud assembly once per source hash (cached under
 * .cognito-migrate/cdk-out) and hands its directory to every worker. COGNITO_MIGRATE_ASSEMBLY,
 * when set, points the artifact-mode tests at another assembly instead (e.g. an older commit's).
 */
export default async (): Promise<void> => {
  if (process.env.COGNITO_MIGRATE_ASSEMBLY) return;
  process.env.COGNITO_MIGRATE_ASSEMBLY = await synthesize({ stage: 'test', config: ARTIFACTS_TEST_CONFIG });
};
