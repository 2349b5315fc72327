import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';

/** The four migration functions, by the suffix of their physical name (`cognito-migrate-<stage>-<key>`). */
export const FUNCTION_KEYS = ['lazy-migrate', 'group-sync', 'bulk-export', 'reconcile'] as const;
export type FunctionKey = (typeof FUNCTION_KEYS)[number];

type Template = {
  Resources: Record<
    string,
    { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
  >;
};

/** A function as the template deploys it; `environment` still holds CloudFormation intrinsics. */
export interface AssemblyFunction {
  key: FunctionKey;
  logicalId: string;
  functionName: string;
  /** `index.handler`: file and export inside `codeDir`. */
  handler: string;
  /** The bundled asset directory (what Lambda unzips into /var/task). */
  codeDir: string;
  timeoutSeconds: number;
  memorySize: number;
  runtime: string;
  environment: Record<string, unknown>;
  /** From the function's AWS::Lambda::EventInvokeConfig, when it has one. */
  asyncInvoke?: { maximumRetryAttempts: number; maximumEventAgeSeconds?: number; onFailure?: unknown };
}

/** The migration stack of a cloud assembly, as far as the local stack runs it. */
export interface MigrationAssembly {
  directory: string;
  stackName: string;
  region: string;
  account: string;
  template: Template;
  functions: Record<FunctionKey, AssemblyFunction>;
  stateMachine: { logicalId: string; definition: string; substitutions: Record<string, unknown> };
  /** The target pool's triggers: its own LambdaConfig, or the attach-triggers custom resource's. */
  triggers: { poolLogicalId?: string; lambdaConfig: Record<string, unknown> };
  table: { logicalId: string; tableName: unknown };
  /** Resources of other types by logical id (queues, topics), for the caller to map locally. */
  resourcesOfType(type: string): string[];
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

const byType = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/**
 * Reads the migration stack (`*-Migration`) of a synthesized cloud assembly (`cdk.out`) with
 * aws-cdk-lib's own reader: the functions with their bundled assets, handler, timeout, memory and
 * environment; their async-invoke settings; the state machine's definition (inline or a file asset)
 * and substitutions; the target pool's triggers; the table.
 */
export const readMigrationAssembly = (directory: string): MigrationAssembly => {
  const assembly = new CloudAssembly(directory);
  const stack = assembly.stacks.find((s) => s.stackName.endsWith('-Migration'));
  if (!stack) {
    throw new Error(
      `${directory} has no *-Migration stack (found ${assembly.stacks.map((s) => s.stackName).join(', ') || 'none'}); synthesize with npx cdk synth`,
    );
  }
  const template = stack.template as Template;
  const functions = {} as Record<FunctionKey, AssemblyFunction>;
  for (const [logicalId, resource] of byType(template, 'AWS::Lambda::Function')) {
    const props = resource.Properties ?? {};
    const functionName = typeof props.FunctionName === 'string' ? props.FunctionName : '';
    const key = FUNCTION_KEYS.find((k) => functionName.endsWith(`-${k}`));
    const assetPath = resource.Metadata?.['aws:asset:path'];
    if (!key || typeof assetPath !== 'string') continue;
    functions[key] = {
      key,
      logicalId,
      functionName,
      handler: String(props.Handler ?? 'index.handler'),
      codeDir: join(directory, assetPath),
      timeoutSeconds: Number(props.Timeout ?? 3),
      memorySize: Number(props.MemorySize ?? 128),
      runtime: String(props.Runtime ?? ''),
      environment:
        (props.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {},
    };
  }
  const missing = FUNCTION_KEYS.filter((key) => !functions[key]);
  if (missing.length > 0)
    throw new Error(`${stack.stackName} has no bundled function for ${missing.join(', ')}`);

  for (const [, resource] of byType(template, 'AWS::Lambda::EventInvokeConfig')) {
    const props = resource.Properties ?? {};
    const ref = (props.FunctionName as { Ref?: string } | undefined)?.Ref;
    const fn = Object.values(functions).find(
      (f) => f.logicalId === ref || f.functionName === props.FunctionName,
    );
    if (!fn) continue;
    const destination = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } } | undefined)
      ?.OnFailure;
    fn.asyncInvoke = {
      maximumRetryAttempts: Number(props.MaximumRetryAttempts ?? 2),
      ...(props.MaximumEventAgeInSeconds !== undefined
        ? { maximumEventAgeSeconds: Number(props.MaximumEventAgeInSeconds) }
        : {}),
      ...(destination?.Destination !== undefined ? { onFailure: destination.Destination } : {}),
    };
  }

  const [machine] = byType(template, 'AWS::StepFunctions::StateMachine');
  if (!machine) throw new Error(`${stack.stackName} has no state machine`);
  const [machineId, machineResource] = machine;
  const machineProps = machineResource.Properties ?? {};
  let definition: string;
  if (typeof machineProps.DefinitionString === 'string') {
    definition = machineProps.DefinitionString;
  } else {
    const key = (machineProps.DefinitionS3Location as { Key?: string } | undefined)?.Key;
    const manifest = readJson<{
      files: Record<
        string,
        { source: { path: string }; destinations: Record<string, { objectKey: string }> }
      >;
    }>(join(directory, `${stack.id}.assets.json`));
    const file = Object.values(manifest.files).find((f) =>
      Object.values(f.destinations).some((d) => d.objectKey === key),
    );
    if (!file) throw new Error(`${stack.stackName}: no asset for the state machine definition ${key}`);
    definition = readFileSync(join(directory, file.source.path), 'utf8');
  }

  const pool = byType(template, 'AWS::Cognito::UserPool')[0];
  const custom = byType(template, 'Custom::MigrationTriggers')[0];
  const triggers = pool
    ? {
        poolLogicalId: pool[0],
        lambdaConfig: (pool[1].Properties?.LambdaConfig ?? {}) as Record<string, unknown>,
      }
    : { lambdaConfig: (custom?.[1].Properties?.Triggers ?? {}) as Record<string, unknown> };

  const [table] = byType(template, 'AWS::DynamoDB::Table');
  if (!table) throw new Error(`${stack.stackName} has no DynamoDB table`);

  return {
    directory,
    stackName: stack.stackName,
    region: stack.environment.region,
    account: stack.environment.account,
    template,
    functions,
    stateMachine: {
      logicalId: machineId,
      definition,
      substitutions: (machineProps.DefinitionSubstitutions ?? {}) as Record<string, unknown>,
    },
    triggers,
    table: { logicalId: table[0], tableName: table[1].Properties?.TableName },
    resourcesOfType: (type) => byType(template, type).map(([id]) => id),
  };
};
