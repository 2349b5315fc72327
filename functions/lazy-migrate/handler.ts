import { loadConfig } from '#shared/config';
import { oncePerColdStart, resolveSecrets } from '#shared/secrets';
import { createDeps } from './deps';
import { handleLazyMigrate, type LazyMigrateEvent } from './migrate-user';

// Secrets (the migration client's, an ExternalId kept as a secret) are read once per cold start.
const deps = oncePerColdStart(async () => createDeps(await resolveSecrets(loadConfig(process.env))));

/** Target pool trigger: UserMigration_Authentication, UserMigration_ForgotPassword and PreSignUp_*. */
export const handler = async <E extends LazyMigrateEvent>(event: E): Promise<E> =>
  handleLazyMigrate(event, await deps());
