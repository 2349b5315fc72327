import { FUNCTION_PERMISSIONS, OPERATOR_SOURCE_ACTIONS, sourceReaders } from '../../infra/permissions';
import { asArray, type Cfn, configFile, exampleConfig, synth, type Synthesized } from './support';

let app: Synthesized;

beforeAll(() => {
  app = synth();
});

const sourcePoolArn = 'arn:aws:cognito-idp:eu-west-1:222222222222:userpool/eu-west-1_SourcePool1';
const EXTERNAL_ID = 'replace-with-a-random-secret-0123456789abcdef';

const roleNamed = (s: Synthesized, name: string): { id: string; role: Cfn } => {
  const [id, role] = Object.entries<Cfn>(s.sourceTemplate!.findResources('AWS::IAM::Role')).find(
    ([, r]) => r.Properties.RoleName === name,
  )!;
  return { id, role };
};

/** The actions of every policy attached to one role. */
const actionsOf = (s: Synthesized, roleId: string): { actions: string[]; resources: unknown[] } => {
  const policies = Object.values<Cfn>(s.sourceTemplate!.findResources('AWS::IAM::Policy')).filter((p) =>
    p.Properties.Roles.some((r: Cfn) => r.Ref === roleId),
  );
  const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement);
  return {
    actions: statements.flatMap((st: Cfn) => asArray<string>(st.Action)).sort(),
    resources: statements.flatMap((st: Cfn) => asArray(st.Resource)),
  };
};

describe('SourceAccessStack', () => {
  it('is deployed to the source account', () => {
    expect(app.sourceAccess?.account).toBe('222222222222');
  });

  it.each(sourceReaders())(
    'gives %s its own source role, assumable only by its role with the ExternalId',
    (fn) => {
      const { role } = roleNamed(app, `cognito-migrate-source-read-${fn}`);

      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        {
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: {
            AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
          },
          Condition: {
            StringEquals: { 'sts:ExternalId': EXTERNAL_ID },
            ArnEquals: {
              'aws:PrincipalArn': [`arn:aws:iam::111111111111:role/cognito-migrate-dev-${fn}-eu-west-1`],
            },
          },
        },
      ]);
    },
  );

  it.each(sourceReaders())('allows %s exactly its own source calls, on the source pool ARN only', (fn) => {
    const { id } = roleNamed(app, `cognito-migrate-source-read-${fn}`);
    const { actions, resources } = actionsOf(app, id);

    expect(actions).toEqual([...FUNCTION_PERMISSIONS[fn].source].sort());
    expect(new Set(resources)).toEqual(new Set([sourcePoolArn]));
  });

  it('lets only lazy-migrate check passwords', () => {
    const actions = (fn: string) =>
      actionsOf(app, roleNamed(app, `cognito-migrate-source-read-${fn}`).id).actions;

    expect(actions('lazy-migrate')).toContain('cognito-idp:AdminInitiateAuth');
    expect(actions('bulk-export')).not.toContain('cognito-idp:AdminInitiateAuth');
    expect(actions('reconcile')).not.toContain('cognito-idp:AdminInitiateAuth');
  });

  it('creates no source role for a function that never reads the source', () => {
    const names = Object.values<Cfn>(app.sourceTemplate!.findResources('AWS::IAM::Role')).map(
      (r) => r.Properties.RoleName,
    );

    expect(names).not.toContain('cognito-migrate-source-read-group-sync');
  });

  it('adds a read-only operator role for the configured principals, never AdminInitiateAuth', () => {
    const { id, role } = roleNamed(app, 'cognito-migrate-source-read-operator');
    const { actions, resources } = actionsOf(app, id);

    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({
        Condition: {
          StringEquals: { 'sts:ExternalId': EXTERNAL_ID },
          ArnLike: { 'aws:PrincipalArn': exampleConfig().deployment.sourceAccess.operatorPrincipalArns },
        },
      }),
    ]);
    expect(actions).toEqual([...OPERATOR_SOURCE_ACTIONS].sort());
    expect(actions).toContain('cognito-idp:DescribeUserPoolClient');
    expect(actions).not.toContain('cognito-idp:AdminInitiateAuth');
    expect(new Set(resources)).toEqual(new Set([sourcePoolArn]));
  });

  it('trusts operators of several accounts, one statement per account', () => {
    const config = exampleConfig();
    config.deployment.sourceAccess.operatorPrincipalArns = [
      'arn:aws:iam::111111111111:role/ops',
      'arn:aws:iam::333333333333:role/audit',
    ];
    const s = synth({ config: configFile(config, 'two-operators.json') });
    const { role } = roleNamed(s, 'cognito-migrate-source-read-operator');

    expect(role.Properties.AssumeRolePolicyDocument.Statement.map((st: Cfn) => st.Condition.ArnLike)).toEqual(
      [
        { 'aws:PrincipalArn': ['arn:aws:iam::111111111111:role/ops'] },
        { 'aws:PrincipalArn': ['arn:aws:iam::333333333333:role/audit'] },
      ],
    );
  });

  it('has no operator role unless operatorPrincipalArns are given', () => {
    const config = exampleConfig();
    delete config.deployment.sourceAccess.operatorPrincipalArns;
    const s = synth({ config: configFile(config, 'no-operator.json') });

    expect(s.sourceAccess!.operatorRole).toBeUndefined();
    expect(s.config.operatorRoleArn).toBeUndefined();
    expect(Object.keys(s.sourceAccess!.roles).sort()).toEqual([...sourceReaders()].sort());
  });

  it('does not grant RevokeToken, which Cognito authorises by app client and never by IAM', () => {
    const actions = Object.values<Cfn>(app.sourceTemplate!.findResources('AWS::IAM::Policy')).flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((st: Cfn) => asArray<string>(st.Action)),
    );

    expect(actions).not.toContain('cognito-idp:RevokeToken');
  });

  it('creates a migration app client that allows ALLOW_ADMIN_USER_PASSWORD_AUTH only', () => {
    app.sourceTemplate!.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: 'eu-west-1_SourcePool1',
      ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
      GenerateSecret: false,
      EnableTokenRevocation: true,
    });
  });

  it('outputs the role ARNs and the client id', () => {
    expect(Object.keys(app.sourceTemplate!.findOutputs('*')).sort()).toEqual([
      'BulkExportSourceRoleArn',
      'LazyMigrateSourceRoleArn',
      'MigrationClientId',
      'OperatorSourceRoleArn',
      'ReconcileSourceRoleArn',
    ]);
  });
});
