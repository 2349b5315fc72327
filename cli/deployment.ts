import { readFileSync } from 'node:fs';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { ConfigInput } from '#shared/config';
import { ConfigError } from '#shared/errors';
import { parseInfraConfig, type InfraConfig } from '../infra/config';

/** A stack's outputs by key. */
export type StackOutputs = Record<string, string>;

/** What the CLI resolves a deployment file with. */
export interface DeploymentOptions {
  /** The stage the stacks were deployed as (`-c stage=`). */
  stage: string;
  /** A `cdk deploy --outputs-file` JSON; without it the outputs come from CloudFormation DescribeStacks. */
  outputsFile?: string;
  /** @default a client in the target Region with the default credentials */
  cloudFormation?: (region: string) => CloudFormationClient;
}

/** The migration stack's name for a stage, as infra/build-app.ts names it. */
export const migrationStackName = (stage: string): string => `CognitoMigrate-${stage}-Migration`;

/** True for the `{ migration, deployment }` file CDK reads, as opposed to a bare MigrationConfig. */
export const isDeploymentFile = (raw: unknown): raw is { migration: unknown; deployment: unknown } =>
  typeof raw === 'object' && raw !== null && 'migration' in raw && 'deployment' in raw;

const readOutputsFile = (path: string, stackName: string): StackOutputs => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read outputs file "${path}": ${(error as Error).message}`, [path]);
  }
  const outputs = (parsed as Record<string, unknown>)[stackName];
  if (typeof outputs !== 'object' || outputs === null) {
    throw new ConfigError(
      `Outputs file "${path}" has no stack ${stackName}; write it with \`cdk deploy --outputs-file ${path}\` for this stage`,
      [path],
    );
  }
  return outputs as StackOutputs;
};

const describeOutputs = async (client: CloudFormationClient, stackName: string): Promise<StackOutputs> => {
  try {
    const { Stacks = [] } = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries(
      (Stacks[0]?.Outputs ?? []).flatMap((o) =>
        o.OutputKey && o.OutputValue ? [[o.OutputKey, o.OutputValue]] : [],
      ),
    );
  } finally {
    client.destroy();
  }
};

const required = (outputs: StackOutputs, key: string, stackName: string): string => {
  const value = outputs[key];
  if (!value) {
    throw new ConfigError(
      `Stack ${stackName} has no output ${key}: deploy it (npx cdk deploy ${stackName}) or pass the right --stage`,
      [key],
    );
  }
  return value;
};

/**
 * The configuration the CLI runs with, from the deployment file and the migration stack's
 * outputs: the created pool and its app client, the table, the state machine, and (source in
 * another account) the read-only operator role. Nothing is copied by hand into a third file.
 */
export const cliConfigFromDeployment = (infra: InfraConfig, outputs: StackOutputs): ConfigInput => {
  const stackName = migrationStackName(infra.stage);
  const { migrationClientSecretRef: _notNeeded, ...source } = infra.migrationInput.source;
  const created = infra.deployment.targetPool.create;
  return {
    ...infra.migrationInput,
    source: { ...source, ...(infra.operatorRoleArn ? { roleArn: infra.operatorRoleArn } : {}) },
    target: {
      ...infra.migrationInput.target,
      userPoolId: created
        ? required(outputs, 'TargetUserPoolId', stackName)
        : infra.migrationInput.target.userPoolId,
      ...(created ? { clientId: required(outputs, 'TargetAppClientId', stackName) } : {}),
    },
    tableName: required(outputs, 'MigrationTableName', stackName),
    stateMachineArn: required(outputs, 'BulkSyncStateMachineArn', stackName),
  };
};

/** Validates a deployment file as CDK does, looks its stack's outputs up, and returns the CLI's configuration. */
export const resolveDeployment = async (raw: unknown, options: DeploymentOptions): Promise<ConfigInput> => {
  const infra = parseInfraConfig(raw, options.stage);
  const stackName = migrationStackName(options.stage);
  const outputs = options.outputsFile
    ? readOutputsFile(options.outputsFile, stackName)
    : await describeOutputs(
        (options.cloudFormation ?? ((region) => new CloudFormationClient({ region })))(
          infra.deployment.targetRegion,
        ),
        stackName,
      );
  return cliConfigFromDeployment(infra, outputs);
};
