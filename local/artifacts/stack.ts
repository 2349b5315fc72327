import { systemClock } from '#shared/clock';
import { silentLogger, type AppLogger } from '#shared/logger';
import { LOCAL_CREDENTIALS } from '#local/dynamodb/index';
import { DEPLOYMENT_FIELDS } from '#local/migration-settings';
import { startLocalStack, type LocalStack, type LocalStackOptions, type WireContext } from '#local/stack';
import { runStateMachine } from '#local/stepfunctions/index';
import { createDeps as createReconcileDeps } from '../../functions/reconcile/deps';
import type { LocalFunctions } from '#local/wire-functions';
import { FUNCTION_KEYS, readMigrationAssembly, type FunctionKey, type MigrationAssembly } from './assembly';
import { AsyncInvoker, type InvocationRecord } from './async-invoke';
import { startLocalAwsEndpoint } from './aws-endpoint';
import { resolveIntrinsics, type LocalResource, type ResolveContext } from './intrinsics';
import { asHandler, FunctionInvoker, type FunctionSpec } from './invoker';

export interface ArtifactStackOptions extends Omit<
  LocalStackOptions,
  'wire' | 'lambdaConfig' | 'region' | 'sourceRegion'
> {
  /** A cloud assembly directory (`cdk.out`), or one already read. */
  assembly: string | MigrationAssembly;
  /**
   * Function timeouts in seconds instead of the template's, e.g. to make a 300 s task run out
   * of time in a test. @default the template's
   */
  timeouts?: Partial<Record<FunctionKey, number>>;
  /** Environment variables over the template's, per function (an operator's configuration change). */
  environment?: Partial<Record<FunctionKey, Record<string, string>>>;
  /** Receives the functions' log lines (their CloudWatch output). @default dropped */
  onLog?: (functionName: string, line: string) => void;
}

/** What artifact mode adds to the local stack. */
export interface ArtifactDetails {
  assembly: MigrationAssembly;
  /** The functions as they run: name, ARN, bundled directory, timeout, memory and resolved environment. */
  functions: Record<FunctionKey, FunctionSpec>;
  /** Records Lambda sent to on-failure destinations, by destination ARN (an SQS queue here). */
  failedInvocations: Record<string, InvocationRecord[]>;
  /** Every STS AssumeRole call the functions made (cross-account source). */
  assumedRoles: { roleArn: string; externalId: string | undefined }[];
  /** The local Lambda Invoke and STS endpoint. */
  awsEndpoint: string;
}

export type ArtifactStack = LocalStack & { artifacts: ArtifactDetails };

const lambdaArn = (region: string, account: string, name: string) =>
  `arn:aws:lambda:${region}:${account}:function:${name}`;

/** Local physical values of the template's resources, by logical id. */
const localResources = (
  assembly: MigrationAssembly,
  local: { targetPoolId?: string; tableName?: string },
): Record<string, LocalResource> => {
  const { region, account } = assembly;
  const resources: Record<string, LocalResource> = {};
  for (const fn of Object.values(assembly.functions)) {
    resources[fn.logicalId] = {
      ref: fn.functionName,
      attributes: { Arn: lambdaArn(region, account, fn.functionName) },
    };
  }
  for (const id of assembly.resourcesOfType('AWS::SQS::Queue')) {
    const name = String(assembly.template.Resources[id]?.Properties?.QueueName ?? id);
    resources[id] = {
      ref: `https://sqs.${region}.amazonaws.com/${account}/${name}`,
      attributes: { Arn: `arn:aws:sqs:${region}:${account}:${name}`, QueueName: name },
    };
  }
  if (local.targetPoolId && assembly.triggers.poolLogicalId) {
    resources[assembly.triggers.poolLogicalId] = {
      ref: local.targetPoolId,
      attributes: {
        Arn: `arn:aws:cognito-idp:${region}:${account}:userpool/${local.targetPoolId}`,
        ProviderName: `cognito-idp.${region}.amazonaws.com/${local.targetPoolId}`,
      },
    };
  }
  if (local.tableName) {
    resources[assembly.table.logicalId] = {
      ref: local.tableName,
      attributes: { Arn: `arn:aws:dynamodb:${region}:${account}:table/${local.tableName}` },
    };
  }
  return resources;
};

const contextOf = (
  assembly: MigrationAssembly,
  resources: Record<string, LocalResource>,
): ResolveContext => ({
  region: assembly.region,
  accountId: assembly.account,
  stackName: assembly.stackName,
  resources,
});

/** The source pool's Region, from the pool id in the functions' configuration (ids start with it). */
const sourceRegionOf = (assembly: MigrationAssembly): string => {
  const text = JSON.stringify(assembly.functions['bulk-export'].environment);
  const match = /\\"source\\":\{\\"userPoolId\\":\\"([a-z0-9-]+)_/.exec(text);
  return match?.[1] ?? assembly.region;
};

/**
 * The embedded stack built from a synthesized cloud assembly instead of the sources: the same
 * emulator, dynalite and state-machine runner, but each function runs from its bundled asset in
 * its own execution environments (local/artifacts/invoker.ts) with the template's handler,
 * timeout, memory and environment (references resolved to the local pools, table and function
 * ARNs; Lambda's reserved variables; the SDK's AWS_ENDPOINT_URL_* pointing at 127.0.0.1). The
 * target pool's triggers come from its LambdaConfig in the template, the state machine from the
 * template's definition and substitutions, group-sync's async invocations from its
 * EventInvokeConfig (retries, then the on-failure destination).
 *
 * Only what an operator fills in after deploying differs from the template: the source pool id
 * and migration client id (SOURCE_USER_POOL_ID, SOURCE_MIGRATION_CLIENT_ID), the table name
 * (MIGRATION_TABLE_NAME, a fresh local table) and migrationWindowEnd (MIGRATION_WINDOW_END).
 */
export const startArtifactStack = async (options: ArtifactStackOptions): Promise<ArtifactStack> => {
  const assembly =
    typeof options.assembly === 'string' ? readMigrationAssembly(options.assembly) : options.assembly;
  const logger: AppLogger = options.logger ?? silentLogger;
  const lambdaConfig = resolveIntrinsics(
    assembly.triggers.lambdaConfig,
    contextOf(assembly, localResources(assembly, {})),
  ) as Record<string, string>;

  let details: ArtifactDetails | undefined;
  const given = Object.entries(options.config ?? {}).filter(
    ([key]) => !(DEPLOYMENT_FIELDS as readonly string[]).includes(key),
  );
  const settings = given.length > 0 ? Object.fromEntries(given) : undefined;
  const wire = async ({
    state,
    config,
    emulator,
    dynamo,
    eventBridge,
  }: WireContext): Promise<LocalFunctions> => {
    const resources = localResources(assembly, {
      targetPoolId: state.target.userPoolId,
      tableName: state.tableName,
    });
    const ctx = contextOf(assembly, resources);
    const invokers = {} as Record<FunctionKey, FunctionInvoker>;
    const asyncInvokers = {} as Record<FunctionKey, AsyncInvoker>;
    const failedInvocations: Record<string, InvocationRecord[]> = {};
    const endpoint = await startLocalAwsEndpoint((name) => {
      const key = FUNCTION_KEYS.find((k) => assembly.functions[k].functionName === name);
      if (!key) return undefined;
      return {
        invoke: (payload) => invokers[key].invoke(payload),
        enqueue: (payload) => asyncInvokers[key].enqueue(payload),
      };
    });
    const specs = {} as Record<FunctionKey, FunctionSpec>;
    for (const key of FUNCTION_KEYS) {
      const fn = assembly.functions[key];
      const variables = resolveIntrinsics(fn.environment, ctx) as Record<string, string>;
      // Settings the stack was started with (`--migration-config`, the demo's scope) are what the
      // template would carry had it been deployed with them.
      if (settings && variables.COGNITO_MIGRATE_CONFIG)
        variables.COGNITO_MIGRATE_CONFIG = JSON.stringify({
          ...(JSON.parse(variables.COGNITO_MIGRATE_CONFIG) as object),
          ...settings,
        });
      // The bus the deployment names exists locally too (on AWS the operator or the stack creates it).
      const bus = (JSON.parse(variables.COGNITO_MIGRATE_CONFIG ?? '{}') as { eventBusName?: string })
        .eventBusName;
      if (bus) eventBridge.addBus(bus);
      const spec: FunctionSpec = {
        functionName: fn.functionName,
        functionArn: lambdaArn(assembly.region, assembly.account, fn.functionName),
        codeDir: fn.codeDir,
        handler: fn.handler,
        timeoutSeconds: options.timeouts?.[key] ?? fn.timeoutSeconds,
        memorySize: fn.memorySize,
        environment: {
          ...variables,
          // Lambda's reserved variables and the function's credentials.
          AWS_REGION: assembly.region,
          AWS_DEFAULT_REGION: assembly.region,
          AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
          AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
          AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memorySize),
          AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.functionName}`,
          AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
          LAMBDA_TASK_ROOT: fn.codeDir,
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_SESSION_TOKEN: 'local',
          // Endpoints, not branches: the SDK's own per-service endpoint settings.
          AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER: emulator.endpoint,
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_LAMBDA: endpoint.endpoint,
          AWS_ENDPOINT_URL_STS: endpoint.endpoint,
          AWS_ENDPOINT_URL_EVENTBRIDGE: eventBridge.endpoint,
          // What an operator fills in after deploying the source stack and the table.
          SOURCE_USER_POOL_ID: state.source.userPoolId,
          SOURCE_MIGRATION_CLIENT_ID: state.source.migrationClientId,
          MIGRATION_TABLE_NAME: state.tableName,
          MIGRATION_WINDOW_END: config.migrationWindowEnd,
          ...options.environment?.[key],
        },
      };
      specs[key] = spec;
      invokers[key] = new FunctionInvoker(spec, options.onLog ? { onLog: options.onLog } : {});
      // The triggers' first calls then meet a warm environment, as they would after the first sign-ins.
      if (key === 'lazy-migrate' || key === 'group-sync') invokers[key].warm();
      const destination = fn.asyncInvoke?.onFailure
        ? String(resolveIntrinsics(fn.asyncInvoke.onFailure, ctx))
        : undefined;
      asyncInvokers[key] = new AsyncInvoker(invokers[key], {
        maximumRetryAttempts: fn.asyncInvoke?.maximumRetryAttempts ?? 2,
        onFailure: (record) => {
          logger.warn('async invocation failed every attempt', {
            reason: 'retries-exhausted',
            functionName: fn.functionName,
            errorType: record.responsePayload.errorType,
            destination: destination ?? 'none (dropped)',
          });
          if (destination) (failedInvocations[destination] ??= []).push(record);
        },
      });
    }
    details = {
      assembly,
      functions: specs,
      failedInvocations,
      assumedRoles: endpoint.assumedRoles,
      awsEndpoint: endpoint.endpoint,
    };
    const byArn = (arn: string) => {
      const key = FUNCTION_KEYS.find((k) => arn.endsWith(`:function:${assembly.functions[k].functionName}`));
      if (!key)
        throw new Error(`The target pool's LambdaConfig names ${arn}, which the assembly does not deploy`);
      return asHandler(invokers[key]);
    };
    const triggers = Object.fromEntries(
      Object.values(lambdaConfig)
        .filter((arn): arn is string => typeof arn === 'string')
        .map((arn) => [arn, byArn(arn)]),
    );
    const substitutions = resolveIntrinsics(assembly.stateMachine.substitutions, ctx) as Record<
      string,
      string
    >;
    const bulkExport = asHandler(invokers['bulk-export']);
    let reconcileClosed: FunctionInvoker | undefined;
    const idle = async () => {
      await Promise.all(Object.values(asyncInvokers).map((a) => a.idle()));
    };
    return {
      lazyMigrate: asHandler(invokers['lazy-migrate']),
      groupSync: asHandler(invokers['group-sync']),
      bulkExport,
      triggers,
      bulkSync: (input = {}, executionName) =>
        runStateMachine({
          definitionFile: `${assembly.stackName}/${assembly.stateMachine.logicalId}`,
          definition: assembly.stateMachine.definition,
          substitutions,
          lambdas: Object.fromEntries(Object.values(substitutions).map((arn) => [arn, byArn(arn)])),
          input,
          ...(executionName ? { executionName } : {}),
        }),
      reconcile: (event, { windowClosed = false } = {}) => {
        if (!windowClosed) return asHandler(invokers.reconcile)(event);
        // Closing the window is a configuration change: new environments with the new value.
        reconcileClosed ??= new FunctionInvoker({
          ...specs.reconcile,
          environment: {
            ...specs.reconcile.environment,
            MIGRATION_WINDOW_END: new Date(Date.now() - 60_000).toISOString(),
          },
        });
        return asHandler(reconcileClosed)(event);
      },
      reconcileDeps: (clock = options.clock ?? systemClock) => ({
        ...createReconcileDeps(config, clock),
        logger,
      }),
      idle,
      close: async () => {
        await idle();
        await Promise.all(
          [...Object.values(invokers), ...(reconcileClosed ? [reconcileClosed] : [])].map((i) => i.close()),
        );
        await endpoint.close();
      },
    };
  };

  const stack = await startLocalStack({
    ...options,
    // Pools are regional, as in AWS: a function asking in the wrong Region does not find its pool.
    emulator: { ...options.emulator, regionalPools: true },
    region: assembly.region,
    sourceRegion: sourceRegionOf(assembly),
    lambdaConfig,
    wire,
  });
  return Object.assign(stack, { artifacts: details! });
};
