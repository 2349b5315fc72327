import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/**
 * What `local start --state-dir DIR` keeps so that the next start with the same DIR serves the
 * same pools and table: the emulator's state file (saved every second while calls arrive, and on
 * close), the table as dynalite's on-disk LevelDB store (every write lands on disk, so a kill
 * loses nothing the table acknowledged), and the ids that tie them together.
 */
export const stateDirPaths = (dir: string) => ({
  cognito: join(dir, 'cognito.json'),
  dynamodb: join(dir, 'dynamodb'),
  stack: join(dir, 'stack.json'),
});

const savedStackSchema = z.object({
  source: z.object({
    userPoolId: z.string(),
    migrationClientId: z.string(),
    secret: z.string().optional(),
    /** An external source (`--source-endpoint`) is not in the emulator. */
    endpoint: z.string().optional(),
  }),
  target: z.object({ targetPoolId: z.string(), targetClientId: z.string() }),
  tableName: z.string(),
  migrationWindowEnd: z.string(),
});

/** The pool, client and table ids of a stack, fixed when it was first started. */
export type SavedStack = z.infer<typeof savedStackSchema>;

/** The ids a previous start left in DIR, or undefined for a new DIR. */
export const readSavedStack = (dir: string): SavedStack | undefined => {
  const { stack, cognito } = stateDirPaths(dir);
  // Ids without the pools they name (the first start died before its first save) start afresh.
  if (!existsSync(stack) || !existsSync(cognito)) return undefined;
  return savedStackSchema.parse(JSON.parse(readFileSync(stack, 'utf8')));
};

export const writeSavedStack = (dir: string, saved: SavedStack): void => {
  mkdirSync(dir, { recursive: true });
  writeFileSync(stateDirPaths(dir).stack, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o600 });
};
