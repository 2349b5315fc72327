import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTION_NAMES, FUNCTION_PERMISSIONS, functionName } from '../../infra/permissions';
import {
  asArray,
  type Cfn,
  configFile,
  exampleConfig,
  policyStatements,
  synth,
  type Synthesized,
} from './support';

let dev: Synthesized;
let unprotected: Synthesized;

beforeAll(() => {
  dev = synth();
  const config = exampleConfig();
  config.deployment.deletionProtection = false;
  unprotected = synth({ config: configFile(config, 'unprotected.json') });
});

const resources = (s: Synthesized, type: string): Record<string, Cfn> =>
  s.migrationTemplate.findResources(type);

const functionLogicalId = (s: Synthesized, name: string): string => {
  const [id] = Object.entries(resources(s, 'AWS::Lambda::Function')).find(
    ([, r]) => r.Properties.FunctionName === functionName('dev', name as never),
  )!;
  return id;
};

/** The ARN CloudFormation builds for a function from its fixed name. */
const namedArn = (name: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:lambda:eu-west-1:111111111111:function:${functionName('dev', name as never)}`,
    ],
  ],
});

describe('MigrationStack with a new target pool', () => {
  it.each([
    ['UserMigration', 'lazy-migrate'],
    ['PreSignUp', 'lazy-migrate'],
    ['PreTokenGeneration', 'group-sync'],
    ['PostAuthentication', 'group-sync'],
  ])('wires the %s trigger to %s', (trigger, fn) => {
    const [pool] = Object.values(resources(dev, 'AWS::Cognito::UserPool'));

    expect(pool.Properties.LambdaConfig[trigger]).toEqual(namedArn(fn));
  });

  it.each(['lazy-migrate', 'group-sync'])('lets only the target pool invoke %s', (fn) => {
    dev.migrationTemplate.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [functionLogicalId(dev, fn), 'Arn'] },
      Principal: 'cognito-idp.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('TargetPool'), 'Arn'] },
      SourceAccount: '111111111111',
    });
  });

  it('creates no app client that can write the legacy-sub attribute', () => {
    const clients = Object.values(resources(dev, 'AWS::Cognito::UserPoolClient'));

    expect(clients.length).toBeGreaterThan(0);
    for (const client of clients) {
      expect(client.Properties.WriteAttributes ?? []).not.toContain('custom:legacy_sub');
    }
  });

  it('sends group-sync continuations that fail every retry to a queue', () => {
    const [queueId] = Object.keys(resources(dev, 'AWS::SQS::Queue'));

    dev.migrationTemplate.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionLogicalId(dev, 'group-sync') },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('keeps trigger timeouts within Cognito’s 5 s', () => {
    for (const fn of ['lazy-migrate', 'group-sync']) {
      const props = resources(dev, 'AWS::Lambda::Function')[functionLogicalId(dev, fn)].Properties;
      expect(props.Timeout).toBeLessThanOrEqual(5);
    }
  });

  it('runs every function on nodejs22.x arm64 with the configuration in COGNITO_MIGRATE_CONFIG', () => {
    for (const fn of FUNCTION_NAMES) {
      const props = resources(dev, 'AWS::Lambda::Function')[functionLogicalId(dev, fn)].Properties;
      expect(props).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
      expect(props.Environment.Variables).toMatchObject({
        NODE_OPTIONS: '--enable-source-maps',
        COGNITO_MIGRATE_CONFIG: expect.anything(),
      });
    }
  });

  it('creates the pool with the legacy-sub attribute, case-insensitive usernames and MFA from the config', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith([
        Match.objectLike({ Name: 'legacy_sub', AttributeDataType: 'String', Mutable: false }),
      ]),
      UsernameConfiguration: { CaseSensitive: false },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      AccountRecoverySetting: Match.anyValue(),
    });
  });

  it('gives the app client USER_PASSWORD_AUTH, which hands the UserMigration trigger the password', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
      GenerateSecret: false,
    });
  });

  it('builds the table from the shared definition: on-demand, PITR, encrypted', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'cognito-migrate-dev',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'byStatus' }),
        Match.objectLike({ IndexName: 'byEventOutbox' }),
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });

  it('projects only the status columns into the status index, and only the event outbox’s into its index', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byStatus',
          Projection: {
            ProjectionType: 'INCLUDE',
            NonKeyAttributes: ['status', 'enabled', 'userStatus', 'reason'],
          },
        }),
        Match.objectLike({
          IndexName: 'byEventOutbox',
          KeySchema: [
            { AttributeName: 'eventOutbox', KeyType: 'HASH' },
            { AttributeName: 'eventClaimedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['username', 'targetSub'] },
        }),
      ],
    });
  });

  it('protects and retains the table, the pool and the logs by default, whatever the stage is called', () => {
    dev.migrationTemplate.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: true }),
      DeletionPolicy: 'Retain',
    });
    dev.migrationTemplate.hasResource('AWS::Cognito::UserPool', {
      Properties: Match.objectLike({ DeletionProtection: 'ACTIVE' }),
      DeletionPolicy: 'Retain',
    });
    dev.migrationTemplate.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  it('deletes the table and the pool with the stack only when deletionProtection is false', () => {
    unprotected.migrationTemplate.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
      DeletionPolicy: 'Delete',
    });
    unprotected.migrationTemplate.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
  });

  it('turns OAuth off on the created app client unless configured', () => {
    const [client] = Object.values(resources(dev, 'AWS::Cognito::UserPoolClient'));

    expect(client.Properties.AllowedOAuthFlows).toBeUndefined();
    expect(client.Properties.CallbackURLs).toBeUndefined();
    expect(client.Properties.AllowedOAuthFlowsUserPoolClient).not.toBe(true);
  });

  it('enables exactly the configured OAuth flows', () => {
    const config = exampleConfig();
    config.deployment.targetPool.oAuth = {
      flows: ['code'],
      scopes: ['openid', 'email'],
      callbackUrls: ['https://app.example.org/callback'],
    };
    const withOAuth = synth({ config: configFile(config, 'oauth.json') });

    withOAuth.migrationTemplate.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: ['https://app.example.org/callback'],
      AllowedOAuthFlowsUserPoolClient: true,
    });
  });

  it('schedules the reconciler with { action: "reconcile" }', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: {
        Arn: { 'Fn::GetAtt': [functionLogicalId(dev, 'reconcile'), 'Arn'] },
        Input: JSON.stringify({ action: 'reconcile' }),
      },
    });
  });

  it('logs every state machine event (without execution data) and traces it', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: false },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('has a dashboard and alarms on operational refusals, throttling and trigger latency', () => {
    dev.migrationTemplate.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const descriptions = Object.values(resources(dev, 'AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmDescription as string,
    );
    expect(descriptions).toEqual(
      expect.arrayContaining([
        expect.stringContaining('operational'),
        expect.stringContaining('TooManyRequestsException'),
        expect.stringContaining('5 s'),
      ]),
    );
  });
});

describe('MigrationStack IAM', () => {
  it('never grants cognito-idp:* or a Resource "*" on Cognito, DynamoDB or Lambda', () => {
    for (const { statement } of policyStatements(dev.migrationTemplate)) {
      const actions = asArray<string>(statement.Action);
      expect(actions).not.toContain('cognito-idp:*');
      if (actions.some((a) => /^(cognito-idp|dynamodb|lambda|sts):/.test(a))) {
        expect(asArray(statement.Resource)).not.toContain('*');
      }
    }
  });

  it.each(FUNCTION_NAMES)('grants %s exactly its Cognito and DynamoDB actions', (name) => {
    const roleId = Object.entries(resources(dev, 'AWS::IAM::Role')).find(([, r]) =>
      String(r.Properties.RoleName).startsWith(`${functionName('dev', name)}-`),
    )![0];
    const statements = policyStatements(dev.migrationTemplate)
      .filter(({ statement, logicalId }) => {
        const policy = resources(dev, 'AWS::IAM::Policy')[logicalId];
        return policy?.Properties.Roles.some((r: Cfn) => r.Ref === roleId) && statement;
      })
      .map(({ statement }) => statement);
    const actions = (prefix: string) =>
      statements.flatMap((s) => asArray<string>(s.Action)).filter((a) => a.startsWith(prefix));

    // Cross-account: source calls go through the source role, so only target actions are granted directly.
    expect(actions('cognito-idp:').sort()).toEqual([...FUNCTION_PERMISSIONS[name].target].sort());
    expect(actions('dynamodb:').sort()).toEqual([...FUNCTION_PERMISSIONS[name].table].sort());
    expect(actions('sts:')).toEqual(FUNCTION_PERMISSIONS[name].source.length > 0 ? ['sts:AssumeRole'] : []);
    for (const s of statements.filter((s) => asArray<string>(s.Action).some((a) => a.startsWith('sts:')))) {
      expect(s.Resource).toBe(`arn:aws:iam::222222222222:role/cognito-migrate-source-read-${name}`);
    }
    for (const s of statements.filter((s) =>
      asArray<string>(s.Action).some((a) => a.startsWith('cognito-idp:')),
    )) {
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^TargetPool/), 'Arn'] });
    }
  });

  it.each(['lazy-migrate', 'bulk-export', 'reconcile'])(
    'configures %s to assume its own source role',
    (name) => {
      const props = resources(dev, 'AWS::Lambda::Function')[functionLogicalId(dev, name)].Properties;
      const config = JSON.stringify(props.Environment.Variables.COGNITO_MIGRATE_CONFIG);

      expect(config).toContain(`role/cognito-migrate-source-read-${name}`);
    },
  );

  it('grants source-pool actions on that pool ARN when the source is in the same account', () => {
    const config = exampleConfig();
    config.deployment.sourceAccount = config.deployment.targetAccount;
    const same = synth({ config: configFile(config, 'same-account.json') });

    expect(same.sourceAccess).toBeUndefined();
    const sourceArn = 'arn:aws:cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_SourcePool1';
    const onSource = policyStatements(same.migrationTemplate).filter(
      ({ statement }) => statement.Resource === sourceArn,
    );
    const granted = new Set(onSource.flatMap(({ statement }) => asArray<string>(statement.Action)));
    expect([...granted].sort()).toEqual(
      [...new Set(FUNCTION_NAMES.flatMap((n) => FUNCTION_PERMISSIONS[n].source))].sort(),
    );
    expect(
      policyStatements(same.migrationTemplate).some(({ statement }) => statement.Action === 'sts:AssumeRole'),
    ).toBe(false);
  });
});
