import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { loadCliConfig } from '../../../cli/connection';
import { resolveDeployment } from '../../../cli/deployment';
import { ConfigError } from '#shared/errors';

const ROOT = join(__dirname, '..', '..', '..');
const EXAMPLE = join(ROOT, 'infra', 'examples', 'config.example.json');
const STACK = 'CognitoMigrate-prod-Migration';
const STATE_MACHINE = 'arn:aws:states:eu-west-1:111111111111:stateMachine:cognito-migrate-prod-bulk-sync';
const OUTPUTS = {
  TargetUserPoolId: 'eu-west-1_Created1',
  TargetAppClientId: 'created-client-1',
  MigrationTableName: 'cognito-migrate-dev',
  BulkSyncStateMachineArn: STATE_MACHINE,
  AlarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:cognito-migrate-prod-alarms',
};

const cloudFormation = mockClient(CloudFormationClient);
const dir = mkdtempSync(join(tmpdir(), 'cli-deployment-'));
const example = () => JSON.parse(readFileSync(EXAMPLE, 'utf8'));

beforeEach(() => cloudFormation.reset());

describe('the CLI with the deployment file CDK reads', () => {
  it('finds the pool, client, table, state machine and operator role in the stack outputs (DescribeStacks)', async () => {
    cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves({
      Stacks: [
        {
          StackName: STACK,
          CreationTime: new Date(),
          StackStatus: 'CREATE_COMPLETE',
          Outputs: Object.entries(OUTPUTS).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
        },
      ],
    });

    const config = await loadCliConfig({ config: EXAMPLE, stage: 'prod' }, {});

    expect(config).toMatchObject({
      target: { userPoolId: 'eu-west-1_Created1', clientId: 'created-client-1' },
      tableName: 'cognito-migrate-dev',
      stateMachineArn: STATE_MACHINE,
      source: {
        userPoolId: 'eu-west-1_SourcePool1',
        roleArn: 'arn:aws:iam::222222222222:role/cognito-migrate-source-read-operator',
        externalId: 'replace-with-a-random-secret-0123456789abcdef',
      },
    });
    expect(await cloudFormation.call(0).thisValue.config.region()).toBe('eu-west-1');
  });

  it('reads a `cdk deploy --outputs-file` file instead, without calling CloudFormation', async () => {
    const outputsFile = join(dir, 'outputs.json');
    writeFileSync(outputsFile, JSON.stringify({ [STACK]: OUTPUTS }));

    const config = await loadCliConfig({ config: EXAMPLE, stage: 'prod', outputsFile }, {});

    expect(config.stateMachineArn).toBe(STATE_MACHINE);
    expect(config.target.userPoolId).toBe('eu-west-1_Created1');
    expect(cloudFormation.calls()).toHaveLength(0);
  });

  it('validates the file as CDK does, and says which output is missing', async () => {
    const outputsFile = join(dir, 'partial.json');
    writeFileSync(outputsFile, JSON.stringify({ [STACK]: { MigrationTableName: 't' } }));

    await expect(resolveDeployment(example(), { stage: 'prod', outputsFile })).rejects.toThrow(
      new ConfigError(
        `Stack ${STACK} has no output TargetUserPoolId: deploy it (npx cdk deploy ${STACK}) or pass the right --stage`,
        [],
      ),
    );
    await expect(
      resolveDeployment({ ...example(), extra: 1 }, { stage: 'prod', outputsFile }),
    ).rejects.toThrow(/extra: unknown key/);
  });

  it('keeps the existing pool id of a deployment that attaches to one', async () => {
    const outputsFile = join(dir, 'existing.json');
    writeFileSync(
      outputsFile,
      JSON.stringify({
        [STACK]: { MigrationTableName: 'cognito-migrate-dev', BulkSyncStateMachineArn: STATE_MACHINE },
      }),
    );
    const existing = JSON.parse(
      readFileSync(join(ROOT, 'infra', 'examples', 'config.existing-pool.example.json'), 'utf8'),
    );

    const input = await resolveDeployment(existing, { stage: 'prod', outputsFile });

    expect(input.target.userPoolId).toBe('eu-west-1_TargetPool1');
    // No operator principals configured: the CLI reads the source with its own credentials.
    expect(input.source.roleArn).toBeUndefined();
  });

  it('still reads a plain MigrationConfig file', async () => {
    const file = join(dir, 'migration.json');
    writeFileSync(file, JSON.stringify({ ...example().migration, target: { userPoolId: 'eu-west-1_T1' } }));

    const config = await loadCliConfig({ config: file }, {});

    expect(config.target.userPoolId).toBe('eu-west-1_T1');
    expect(cloudFormation.calls()).toHaveLength(0);
  });
});
