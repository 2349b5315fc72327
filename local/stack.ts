import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  CreateUserPoolDomainCommand,
  type CreateUserPoolClientRequest,
  type CreateUserPoolRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { systemClock, type Clock } from '#shared/clock';
import { parseConfig, type ConfigInput, type MigrationConfig } from '#shared/config';
import { QUOTA_CATEGORIES, QUOTA_DEFAULTS } from '#shared/quotas';
import { silentLogger, type AppLogger } from '#shared/logger';
import {
  startCognitoEmulator,
  type CognitoEmulator,
  type CognitoEmulatorOptions,
} from '#local/cognito/index';
import { LOCAL_CREDENTIALS, startLocalDynamo, type LocalDynamo } from '#local/dynamodb/index';
import { wireFunctions, type LocalFunctions } from '#local/wire-functions';
import { startLocalEventBridge, type LocalEventBridge } from '#local/eventbridge/index';
import { wireFunctionsInThreads } from '#local/function-threads';
import { DEFAULT_SOURCE_POOL, DEFAULT_TARGET_POOL, LOCAL_FUNCTION_ARNS } from '#local/pool-settings';
import type { LocalState } from '#local/state-file';
import { readSavedStack, stateDirPaths, writeSavedStack } from '#local/state-dir';
import { startCallbackApp, type CallbackApp } from '#local/callback-app';

/** The target pool's managed login domain prefix in the emulator. */
export const LOCAL_TARGET_DOMAIN = 'migrate-local';
const LOGIN_SCOPES = ['openid', 'email', 'phone', 'profile', 'aws.cognito.signin.user.admin'];

export interface LocalStackOptions {
  /**
   * CreateUserPool settings of the source: a whole request (`{ replace: ... }`, as a
   * describe-user-pool file gives) or settings merged over DEFAULT_SOURCE_POOL.
   */
  sourcePool?: PoolSettingsOption;
  /** The same for the target, over DEFAULT_TARGET_POOL; its LambdaConfig is the local functions'. */
  targetPool?: PoolSettingsOption;
  /**
   * A source pool outside the emulator (moto, another emulator): the stack then creates no source
   * pool, and every function reads the source at `endpoint` with the local credentials.
   */
  externalSource?: { endpoint: string; userPoolId: string; migrationClientId: string };
  /** CreateUserPoolClient settings of the source's migration client (e.g. GenerateSecret), over the defaults. */
  sourceClient?: Partial<Omit<CreateUserPoolClientRequest, 'UserPoolId'>>;
  /** When the migration window closes. @default 30 days from now */
  migrationWindowEnd?: string;
  region?: string;
  /**
   * The emulator's and the functions' clock. When omitted the emulator times triggers with
   * unref'd timers, so nothing holds a test runner open. @default systemClock
   */
  clock?: Clock;
  /**
   * The functions' clock only (rate limiters, table timestamps); the emulator keeps `clock` so
   * trigger deadlines stay real. A ManualClock here makes the limiters' waits free. @default clock
   */
  functionClock?: Clock;
  /** The emulator's quotas. @default 'off' (a rehearsal of the logic, not of the pace) */
  quotas?: CognitoEmulatorOptions['quotas'];
  /** Latency, faults, seed and trigger timeout of the emulator (its `quotas` here win over `quotas`). */
  emulator?: Omit<CognitoEmulatorOptions, 'functions' | 'clock' | 'stateFile' | 'port'>;
  /** Overrides of the migration configuration (triggerDeadlineMs, sdk, mfaPolicy, endpoints, ...). */
  config?: Partial<ConfigInput>;
  /** The logger every function writes to. @default silentLogger */
  logger?: AppLogger;
  /** A dynalite to share between stacks (left open on close). @default a new one, closed with the stack */
  dynamo?: LocalDynamo;
  /**
   * Simulates an account whose Cognito quotas AWS raised by this factor: the migrator's rate
   * limiters are sized to it (config `accountQuotas`). @default 1 (AWS's defaults)
   */
  accountQuotaScale?: number;
  /** The source pool's Region, when it is not `region` (the pool id then starts with it). @default region */
  sourceRegion?: string;
  /** The target pool's LambdaConfig. @default the local functions' ARNs (LOCAL_FUNCTION_ARNS) */
  lambdaConfig?: CreateUserPoolRequest['LambdaConfig'];
  /**
   * Builds the functions instead of wiring the handler logic in-process (`local/artifacts` runs
   * the bundled assets). Their `triggers` are registered with the emulator by ARN.
   */
  wire?: (stack: WireContext) => Promise<LocalFunctions>;
  /** Serve dynalite from a worker thread (a second core for the table). @default false */
  dynamoThread?: boolean;
  /**
   * Run the functions' handler logic in this many worker threads (wireFunctionsInThreads), so
   * their SDK work uses other cores than the emulator. Needs the system clock and the silent
   * logger (neither crosses threads). @default 0: in-process
   */
  functionThreads?: number;
  /**
   * Keep the emulator's pools and the table in this directory: a later start with the same
   * directory (after a stop or a kill) serves the same pools, clients and table. @default in memory
   */
  stateDir?: string;
}

/** What a `wire` hook gets: the stack built so far, and the local configuration. */
export interface WireContext {
  state: LocalState;
  config: MigrationConfig;
  emulator: CognitoEmulator;
  dynamo: LocalDynamo;
  eventBridge: LocalEventBridge;
}

/**
 * A pool's settings: merged over the default pool, or (`replace`) the whole CreateUserPool
 * request, so a setting the default has and the file lacks (AliasAttributes, SmsConfiguration)
 * does not leak into a copy of a real pool.
 */
export type PoolSettingsOption = Partial<CreateUserPoolRequest> | { replace: CreateUserPoolRequest };

const poolRequest = (
  base: CreateUserPoolRequest,
  option: PoolSettingsOption | undefined,
): CreateUserPoolRequest => (option && 'replace' in option ? option.replace : { ...base, ...option });

/** The embedded stack: the emulator with both pools, dynalite with the table, the functions wired. */
export interface LocalStack {
  state: LocalState;
  config: MigrationConfig;
  emulator: CognitoEmulator;
  dynamo: LocalDynamo;
  functions: LocalFunctions;
  /** The target client's callback: the rehearsal app that shows the code exchange's result. */
  callbackApp: CallbackApp;
  /** True when `stateDir` held a previous stack's pools and table, now served again. */
  resumed: boolean;
  /** An SDK client for the emulator (both pools live in it), signing for the target's Region. */
  cognito: CognitoIdentityProviderClient;
  /** The same for the source pool's Region (`cognito` itself when both pools share a Region). */
  sourceCognito: CognitoIdentityProviderClient;
  /** EventBridge's PutEvents, recording the UserMigrated events the functions publish. */
  eventBridge: LocalEventBridge;
  close(): Promise<void>;
}

const createPool = async (client: CognitoIdentityProviderClient, request: CreateUserPoolRequest) => {
  const { UserPool } = await client.send(new CreateUserPoolCommand(request));
  return UserPool?.Id ?? '';
};

/** The source pool and its migration client, in the emulator. */
const createSource = async (cognito: CognitoIdentityProviderClient, options: LocalStackOptions) => {
  const userPoolId = await createPool(cognito, {
    ...poolRequest(DEFAULT_SOURCE_POOL, options.sourcePool),
    LambdaConfig: {},
  });
  const { UserPoolClient } = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: 'migration',
      ExplicitAuthFlows: [
        'ALLOW_ADMIN_USER_PASSWORD_AUTH',
        'ALLOW_USER_PASSWORD_AUTH',
        'ALLOW_REFRESH_TOKEN_AUTH',
      ],
      EnableTokenRevocation: true,
      ...options.sourceClient,
    }),
  );
  return {
    userPoolId,
    migrationClientId: UserPoolClient?.ClientId ?? '',
    ...(UserPoolClient?.ClientSecret ? { secret: UserPoolClient.ClientSecret } : {}),
  };
};

/** The target pool (triggers on the local functions), its app client and managed login domain. */
const createTarget = async (
  cognito: CognitoIdentityProviderClient,
  options: LocalStackOptions,
  callbackApp: CallbackApp,
) => {
  const targetPoolId = await createPool(cognito, {
    ...poolRequest(DEFAULT_TARGET_POOL, options.targetPool),
    LambdaConfig: options.lambdaConfig ?? {
      UserMigration: LOCAL_FUNCTION_ARNS.lazyMigrate,
      PreSignUp: LOCAL_FUNCTION_ARNS.lazyMigrate,
      PostAuthentication: LOCAL_FUNCTION_ARNS.groupSync,
      PreTokenGeneration: LOCAL_FUNCTION_ARNS.groupSync,
    },
  });
  const targetClient = await cognito.send(
    new CreateUserPoolClientCommand({
      UserPoolId: targetPoolId,
      ClientName: 'app',
      // USER_PASSWORD_AUTH: the UserMigration trigger only sees a password with this flow.
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      // As infra sets it: a failed migration and an unknown user then both answer
      // NotAuthorizedException, so the client cannot tell which source users exist.
      PreventUserExistenceErrors: 'ENABLED',
      // Managed login (hosted UI), as apps that sign in through a browser use it.
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: LOGIN_SCOPES,
      CallbackURLs: [callbackApp.callbackUrl],
      LogoutURLs: [callbackApp.signedOutUrl],
      SupportedIdentityProviders: ['COGNITO'],
    }),
  );
  await cognito.send(
    new CreateUserPoolDomainCommand({ UserPoolId: targetPoolId, Domain: LOCAL_TARGET_DOMAIN }),
  );
  const targetClientId = targetClient.UserPoolClient?.ClientId ?? '';
  return { targetPoolId, targetClientId };
};

/** The migration settings of a config, without where the deployment is: what `--local` commands need. */
const settingsOf = (config: MigrationConfig): Record<string, unknown> => {
  const {
    region: _region,
    source: _source,
    target: _target,
    tableName: _table,
    endpoints: _endpoints,
    credentials: _credentials,
    migrationWindowEnd: _windowEnd,
    stateMachineArn: _stateMachine,
    groupSyncFunctionName: _groupSync,
    ...settings
  } = config;
  return settings;
};

/**
 * Starts everything a migration needs on 127.0.0.1: the Cognito emulator with a source pool and
 * a target pool whose triggers call the project's real handler logic (deps pointing at the
 * local endpoints), dynalite with the migration table, and the bulk-sync state machine runner.
 */
export const startLocalStack = async (options: LocalStackOptions = {}): Promise<LocalStack> => {
  if (options.functionThreads && (options.clock || options.functionClock || options.logger))
    throw new Error('functionThreads runs the functions on the system clock with the silent logger');
  const clock = options.clock ?? systemClock;
  const functionClock = options.functionClock ?? clock;
  const region = options.region ?? 'us-east-1';
  const ownDynamo = !options.dynamo;
  const paths = options.stateDir ? stateDirPaths(options.stateDir) : undefined;
  const saved = options.stateDir ? readSavedStack(options.stateDir) : undefined;
  if (options.stateDir) mkdirSync(options.stateDir, { recursive: true });
  const dynamo =
    options.dynamo ??
    (await startLocalDynamo({
      region,
      thread: options.dynamoThread === true,
      ...(paths ? { path: paths.dynamodb } : {}),
    }));
  const closeDynamo = () => (ownDynamo ? dynamo.close() : Promise.resolve());
  const emulator = await startCognitoEmulator({
    quotas: options.quotas ?? 'off',
    ...options.emulator,
    ...(paths ? { stateFile: paths.cognito, autosaveMs: 1000 } : {}),
    // Without a clock the emulator falls back to system time and unref'd trigger timers.
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const cognito = new CognitoIdentityProviderClient({
    region,
    endpoint: emulator.endpoint,
    // A copy: the SDK tags the credentials object it is given.
    credentials: { ...LOCAL_CREDENTIALS },
  });
  const sourceRegion = options.sourceRegion ?? region;
  const sourceCognito =
    sourceRegion === region
      ? cognito
      : new CognitoIdentityProviderClient({
          region: sourceRegion,
          endpoint: emulator.endpoint,
          credentials: { ...LOCAL_CREDENTIALS },
        });
  const destroyClients = () => {
    cognito.destroy();
    if (sourceCognito !== cognito) sourceCognito.destroy();
  };
  let callbackApp: CallbackApp | undefined;
  let eventBridge: LocalEventBridge | undefined;
  try {
    const busName = options.config?.eventBusName;
    eventBridge = await startLocalEventBridge({ buses: busName ? [busName] : [] });
    callbackApp = await startCallbackApp();
    const source = saved?.source ?? options.externalSource ?? (await createSource(sourceCognito, options));
    const { targetPoolId, targetClientId } =
      saved?.target ?? (await createTarget(cognito, options, callbackApp));
    callbackApp.configure({
      cognitoEndpoint: emulator.endpoint,
      clientId: targetClientId,
      scope: 'openid email profile',
    });
    const loginUrl = new URL('/oauth2/authorize', emulator.endpoint);
    loginUrl.search = new URLSearchParams({
      response_type: 'code',
      client_id: targetClientId,
      redirect_uri: callbackApp.callbackUrl,
      scope: 'openid email profile',
    }).toString();
    const tableName = saved?.tableName ?? `cognito-migrate-${randomUUID().slice(0, 8)}`;
    if (!saved) await dynamo.createMigrationTable(tableName);
    const migrationWindowEnd =
      saved?.migrationWindowEnd ??
      options.migrationWindowEnd ??
      new Date(clock.now() + 30 * 86_400_000).toISOString();
    if (options.stateDir && !saved) {
      writeSavedStack(options.stateDir, {
        source,
        target: { targetPoolId, targetClientId },
        tableName,
        migrationWindowEnd,
      });
    }
    const state: LocalState = {
      region,
      cognitoEndpoint: emulator.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      eventBridgeEndpoint: eventBridge.endpoint,
      credentials: {
        accessKeyId: LOCAL_CREDENTIALS.accessKeyId,
        secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey,
      },
      source: { userPoolId: source.userPoolId, migrationClientId: source.migrationClientId },
      ...(options.externalSource ? { sourceCognitoEndpoint: options.externalSource.endpoint } : {}),
      target: { userPoolId: targetPoolId, clientId: targetClientId },
      managedLogin: {
        domain: LOCAL_TARGET_DOMAIN,
        loginUrl: loginUrl.toString(),
        callbackUrl: callbackApp.callbackUrl,
        appUrl: `${callbackApp.origin}/`,
        issuer: `${emulator.endpoint}/${targetPoolId}`,
      },
      tableName,
      migrationWindowEnd,
      pid: process.pid,
      startedAt: new Date(clock.now()).toISOString(),
    };
    const sourceSecret = 'secret' in source ? source.secret : undefined;
    const config = parseConfig({
      region,
      source: {
        ...state.source,
        ...(sourceRegion !== region ? { region: sourceRegion } : {}),
        ...(sourceSecret ? { migrationClientSecret: sourceSecret } : {}),
      },
      target: state.target,
      tableName,
      migrationWindowEnd: state.migrationWindowEnd,
      credentials: state.credentials,
      groupSyncFunctionName: 'group-sync',
      // No quotaShare here: the configured one (default 0.5), as on AWS. The stack's functions and
      // every `--local` process (which gets these settings) each take that share of the emulator's
      // quotas, so together they stay inside them.
      ...(options.accountQuotaScale && options.accountQuotaScale !== 1
        ? {
            accountQuotas: Object.fromEntries(
              QUOTA_CATEGORIES.map((category) => [
                category,
                QUOTA_DEFAULTS[category] * options.accountQuotaScale!,
              ]),
            ),
          }
        : {}),
      ...options.config,
      endpoints: {
        cognito: emulator.endpoint,
        dynamodb: dynamo.endpoint,
        eventBridge: eventBridge.endpoint,
        ...(options.externalSource ? { sourceCognito: options.externalSource.endpoint } : {}),
        ...options.config?.endpoints,
      },
    });
    state.settings = settingsOf(config);
    const functions = options.wire
      ? await options.wire({ state, config, emulator, dynamo, eventBridge })
      : options.functionThreads
        ? await wireFunctionsInThreads(config, { threads: options.functionThreads })
        : wireFunctions(config, { clock: functionClock, logger: options.logger ?? silentLogger });
    for (const [arn, handler] of Object.entries(
      functions.triggers ?? {
        [LOCAL_FUNCTION_ARNS.lazyMigrate]: functions.lazyMigrate,
        [LOCAL_FUNCTION_ARNS.groupSync]: functions.groupSync,
      },
    )) {
      emulator.registerFunction(arn, handler);
    }
    return {
      state,
      config,
      emulator,
      dynamo,
      functions,
      callbackApp,
      cognito,
      sourceCognito,
      eventBridge,
      resumed: Boolean(saved),
      close: async () => {
        await callbackApp!.close();
        await functions.close();
        await eventBridge!.close();
        destroyClients();
        await emulator.close();
        await closeDynamo();
      },
    };
  } catch (error) {
    await callbackApp?.close();
    await eventBridge?.close();
    destroyClients();
    await emulator.close();
    await closeDynamo();
    throw error;
  }
};
