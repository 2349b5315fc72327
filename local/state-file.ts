import { existsSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ConfigError } from '#shared/errors';
import { readTextFile } from '#shared/text-file';

export const DEFAULT_STATE_FILE = '.cognito-migrate/local.json';

/**
 * What `local start` writes once the embedded stack is ready: enough for any AWS SDK client to
 * seed the source pool and sign in to the target pool, and for `--local` commands to connect.
 */
export const localStateSchema = z.object({
  region: z.string(),
  cognitoEndpoint: z.string().url(),
  dynamodbEndpoint: z.string().url(),
  /** The local EventBridge (PutEvents and `GET /local/events`); absent in state files of older stacks. */
  eventBridgeEndpoint: z.string().url().optional(),
  credentials: z.object({ accessKeyId: z.string(), secretAccessKey: z.string() }),
  source: z.object({ userPoolId: z.string(), migrationClientId: z.string() }),
  /** An external source pool's endpoint (`local start --source-endpoint`); else the emulator holds it. */
  sourceCognitoEndpoint: z.string().url().optional(),
  target: z.object({ userPoolId: z.string(), clientId: z.string() }),
  tableName: z.string(),
  /** The target's managed login (hosted UI): the login URL to open and the callback app. */
  managedLogin: z
    .object({
      domain: z.string(),
      loginUrl: z.string().url(),
      callbackUrl: z.string().url(),
      appUrl: z.string().url(),
      issuer: z.string().url(),
    })
    .optional(),
  /** When the local migration window closes (ISO 8601); the stack sets it 30 days out. */
  migrationWindowEnd: z.string().optional(),
  /** The migration settings the stack runs with (`local start --migration-config`), for `--local` commands. */
  settings: z.record(z.string(), z.unknown()).optional(),
  /** The process serving the stack, to tell a stale file from a live one. */
  pid: z.number().int().optional(),
  startedAt: z.string().optional(),
});

export type LocalState = z.infer<typeof localStateSchema>;

export const writeLocalState = (path: string, state: LocalState): void => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
};

export const removeLocalState = (path: string): void => rmSync(path, { force: true });

/** Reads and validates a state file; a missing or malformed file is a ConfigError saying what to run. */
export const readLocalState = (path: string): LocalState => {
  let text: string;
  try {
    text = readTextFile(path, 'local stack state');
  } catch (error) {
    if (existsSync(path)) throw error;
    throw new ConfigError(
      `No local stack state at "${path}"; start one with \`cognito-migrate local start\` (or pass --state-file)`,
      [path],
      '',
    );
  }
  const restart = 'restart `cognito-migrate local start`, which rewrites it (or pass --state-file)';
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `Local stack state "${path}" is not valid JSON (${(error as Error).message}); ${restart}`,
      [path],
      '',
    );
  }
  const parsed = localStateSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Local stack state "${path}" is malformed (${issue?.path.join('.') || '(root)'}: ${issue?.message}); ${restart}`,
      [path],
      '',
    );
  }
  return parsed.data;
};

/** True while the process `pid` runs (EPERM: it runs, as another user). */
export const isProcessAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Reads a state file for a `--local` command: one whose process is gone (the stack was killed
 * and its file left behind) is a ConfigError naming the dead pid, not an ECONNREFUSED later.
 */
export const readLiveLocalState = (path: string): LocalState => {
  const state = readLocalState(path);
  if (state.pid !== undefined && !isProcessAlive(state.pid)) {
    throw new ConfigError(
      `Local stack state "${path}" is stale: its process ${state.pid} is gone; run \`cognito-migrate local start\` (the same --state-dir keeps its pools and table)`,
      [path],
    );
  }
  return state;
};
