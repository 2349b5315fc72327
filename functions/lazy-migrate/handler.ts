import { loadConfig } from '#shared/config';
import { createDeps } from './deps';
import { handleLazyMigrate, type LazyMigrateEvent } from './migrate-user';

const deps = createDeps(loadConfig(process.env));

/** Target pool trigger: UserMigration_Authentication, UserMigration_ForgotPassword and PreSignUp_*. */
export const handler = <E extends LazyMigrateEvent>(event: E): Promise<E> => handleLazyMigrate(event, deps);
