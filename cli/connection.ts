import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Clock } from '#shared/clock';
import { createSourceCognitoClient, createTargetCognitoClient } from '#shared/clients';
import { createDocumentClient } from '#shared/table/context';
import { loadConfig, parseConfig, type MigrationConfig } from '#shared/config';
import { createRateLimiter } from '#shared/rate-limiter';
import { resolveSecrets } from '#shared/secrets';
import type { TableContext } from '#shared/table/context';
import { DEFAULT_STATE_FILE, readLiveLocalState, type LocalState } from '#local/state-file';
import { isDeploymentFile, resolveDeployment } from './deployment';

/** The options every command shares. */
export interface GlobalOptions {
  json?: boolean;
  local?: boolean;
  stateFile?: string;
  config?: string;
  /** The stage a deployment file was deployed as. @default 'dev', as `cdk deploy` */
  stage?: string;
  /** `cdk deploy --outputs-file` output, instead of DescribeStacks. */
  outputsFile?: string;
}

/** Everything a command talks to, built once per invocation. */
export interface Connection {
  config: MigrationConfig;
  table: TableContext;
  source: CognitoIdentityProviderClient;
  target: CognitoIdentityProviderClient;
  /** The local stack's state, with `--local`. */
  local?: LocalState;
  close(): void;
}

export const stateFilePath = (options: GlobalOptions, cwd: string): string => {
  const path = options.stateFile ?? DEFAULT_STATE_FILE;
  return isAbsolute(path) ? path : join(cwd, path);
};

/** The MigrationConfig a local stack's state file stands for. */
export const configFromLocalState = (state: LocalState, now: number): MigrationConfig =>
  parseConfig({
    // The stack's settings, quotaShare among them (the configured one, default 0.5): a `--local`
    // process and the stack's own functions each take that share of the emulator's quotas.
    ...state.settings,
    region: state.region,
    source: { userPoolId: state.source.userPoolId, migrationClientId: state.source.migrationClientId },
    target: { userPoolId: state.target.userPoolId, clientId: state.target.clientId },
    tableName: state.tableName,
    migrationWindowEnd: state.migrationWindowEnd ?? new Date(now + 30 * 86_400_000).toISOString(),
    endpoints: {
      cognito: state.cognitoEndpoint,
      dynamodb: state.dynamodbEndpoint,
      ...(state.eventBridgeEndpoint ? { eventBridge: state.eventBridgeEndpoint } : {}),
      ...(state.sourceCognitoEndpoint ? { sourceCognito: state.sourceCognitoEndpoint } : {}),
    },
    credentials: state.credentials,
  });

const readJson = (path: string): unknown => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // loadConfig reports an unreadable or invalid file with its own message.
    return undefined;
  }
};

/**
 * The configuration from `--config FILE` (or COGNITO_MIGRATE_CONFIG[_FILE] and the flat
 * overrides). A `{ migration, deployment }` file, the one CDK deploys, is resolved against the
 * migration stack's outputs for `--stage`; any other file is a MigrationConfig.
 */
export const loadCliConfig = async (
  options: GlobalOptions,
  env: NodeJS.ProcessEnv,
): Promise<MigrationConfig> => {
  const file = options.config ?? env.COGNITO_MIGRATE_CONFIG_FILE;
  const raw = file ? readJson(file) : undefined;
  if (!isDeploymentFile(raw)) return loadConfig(env, options.config ? { file: options.config } : {});
  const input = await resolveDeployment(raw, {
    stage: options.stage ?? 'dev',
    ...(options.outputsFile ? { outputsFile: options.outputsFile } : {}),
  });
  // The flat environment overrides still apply on top, as for a MigrationConfig file.
  const { COGNITO_MIGRATE_CONFIG_FILE: _file, ...rest } = env;
  return loadConfig({ ...rest, COGNITO_MIGRATE_CONFIG: JSON.stringify(input) });
};

/** Builds clients from `--local` (the state file) or from `--config FILE` / the environment. */
export const connect = async (
  options: GlobalOptions,
  context: { env: NodeJS.ProcessEnv; cwd: string; clock: Clock },
): Promise<Connection> => {
  let local: LocalState | undefined;
  let config: MigrationConfig;
  if (options.local) {
    local = readLiveLocalState(stateFilePath(options, context.cwd));
    config = configFromLocalState(local, context.clock.now());
  } else {
    // An ExternalId kept as a secret is read here, once per command.
    config = await resolveSecrets(await loadCliConfig(options, context.env));
  }
  const limiter = createRateLimiter({ config, clock: context.clock });
  const source = createSourceCognitoClient(config, { clock: context.clock, limiter });
  const target = createTargetCognitoClient(config, { clock: context.clock, limiter });
  const doc = createDocumentClient(config);
  return {
    config,
    table: { doc, tableName: config.tableName, clock: context.clock },
    source,
    target,
    ...(local ? { local } : {}),
    close: () => {
      source.destroy();
      target.destroy();
      doc.destroy();
    },
  };
};
