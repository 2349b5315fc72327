import { sourceRoleActions } from '../../infra/permissions';
import { asArray, type Cfn, policyStatements, synth, type Synthesized } from './support';

let app: Synthesized;

beforeAll(() => {
  app = synth();
});

const sourcePoolArn = 'arn:aws:cognito-idp:eu-west-1:222222222222:userpool/eu-west-1_SourcePool1';

describe('SourceAccessStack', () => {
  it('is deployed to the source account', () => {
    expect(app.sourceAccess?.account).toBe('222222222222');
  });

  it('lets only the target account’s reader roles assume the role, and only with the ExternalId', () => {
    const [role] = Object.values<Cfn>(app.sourceTemplate!.findResources('AWS::IAM::Role'));
    const statements = role.Properties.AssumeRolePolicyDocument.Statement;

    expect(statements).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: {
          AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] },
        },
        Condition: {
          StringEquals: { 'sts:ExternalId': 'replace-with-a-random-secret-0123456789abcdef' },
          ArnEquals: {
            'aws:PrincipalArn': [
              'arn:aws:iam::111111111111:role/cognito-migrate-dev-lazy-migrate-eu-west-1',
              'arn:aws:iam::111111111111:role/cognito-migrate-dev-bulk-export-eu-west-1',
              'arn:aws:iam::111111111111:role/cognito-migrate-dev-reconcile-eu-west-1',
            ],
          },
        },
      },
    ]);
  });

  it('allows exactly the source calls the functions make, on the source pool ARN only', () => {
    const statements = policyStatements(app.sourceTemplate!).map(({ statement }) => statement);

    expect(statements).toEqual([{ Effect: 'Allow', Action: sourceRoleActions(), Resource: sourcePoolArn }]);
    expect(sourceRoleActions()).toEqual([
      'cognito-idp:AdminGetUser',
      'cognito-idp:AdminInitiateAuth',
      'cognito-idp:DescribeUserPool',
      'cognito-idp:ListGroups',
      'cognito-idp:ListUsers',
      'cognito-idp:ListUsersInGroup',
    ]);
  });

  it('does not grant RevokeToken, which Cognito authorises by app client and never by IAM', () => {
    const actions = policyStatements(app.sourceTemplate!).flatMap(({ statement }) =>
      asArray<string>(statement.Action),
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

  it('outputs the role ARN and client id the target configuration needs', () => {
    expect(Object.keys(app.sourceTemplate!.findOutputs('*')).sort()).toEqual([
      'MigrationClientId',
      'SourceRoleArn',
    ]);
  });
});
