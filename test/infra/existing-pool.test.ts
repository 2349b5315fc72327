import { join } from 'node:path';
import { functionName } from '../../infra/permissions';
import { asArray, type Cfn, policyStatements, REPO_ROOT, synth, type Synthesized } from './support';

let app: Synthesized;

beforeAll(() => {
  app = synth({ config: join(REPO_ROOT, 'infra/examples/config.existing-pool.example.json') });
});

const poolArn = {
  'Fn::Join': [
    '',
    ['arn:', { Ref: 'AWS::Partition' }, ':cognito-idp:eu-west-1:111111111111:userpool/eu-west-1_TargetPool1'],
  ],
};

describe('MigrationStack with an existing target pool', () => {
  it('creates no pool of its own', () => {
    app.migrationTemplate.resourceCountIs('AWS::Cognito::UserPool', 0);
  });

  it('attaches the triggers through the custom resource, by function', () => {
    const [resource] = Object.values<Cfn>(app.migrationTemplate.findResources('Custom::MigrationTriggers'));
    const arn = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          `:lambda:eu-west-1:111111111111:function:${functionName('dev', name as never)}`,
        ],
      ],
    });

    expect(resource.Properties).toMatchObject({
      UserPoolId: 'eu-west-1_TargetPool1',
      Triggers: {
        UserMigration: arn('lazy-migrate'),
        PreSignUp: arn('lazy-migrate'),
        PreTokenGeneration: arn('group-sync'),
        PostAuthentication: arn('group-sync'),
      },
    });
  });

  it('lets the custom resource read and update that pool only', () => {
    const onPool = policyStatements(app.migrationTemplate)
      .map(({ statement }) => statement)
      .filter((s) => asArray<string>(s.Action).includes('cognito-idp:UpdateUserPool'));

    expect(onPool).toEqual([
      {
        Effect: 'Allow',
        Action: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
        Resource: poolArn,
      },
    ]);
  });

  it('lets that pool invoke the trigger functions', () => {
    const sources = Object.values<Cfn>(app.migrationTemplate.findResources('AWS::Lambda::Permission'))
      .filter((p) => p.Properties.Principal === 'cognito-idp.amazonaws.com')
      .map((p) => p.Properties.SourceArn);

    expect(sources).toEqual([poolArn, poolArn]);
  });

  it('runs the custom resource after the functions exist', () => {
    const [resource] = Object.values<Cfn>(app.migrationTemplate.findResources('Custom::MigrationTriggers'));
    const functionIds = Object.keys(app.migrationTemplate.findResources('AWS::Lambda::Function'));

    expect(resource.DependsOn).toEqual(
      expect.arrayContaining(functionIds.filter((id) => /^(LazyMigrate|GroupSync)/.test(id))),
    );
  });
});
