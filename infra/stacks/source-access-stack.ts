import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config';
import { functionRoleName, sourceReaders, sourceRoleActions } from '../permissions';

export interface SourceAccessStackProps extends StackProps {
  config: InfraConfig;
}

/** The source pool's ARN, named exactly (never `userpool/*`). */
export const sourcePoolArn = (config: InfraConfig): string =>
  `arn:aws:cognito-idp:${config.deployment.sourceRegion}:${config.deployment.sourceAccount}:userpool/${config.migration.source.userPoolId}`;

/** The target-side roles the source role trusts: the functions that read the source pool. */
export const trustedRoleArns = (config: InfraConfig): string[] =>
  config.deployment.sourceAccess.trustedRoleArns ??
  sourceReaders().map(
    (name) =>
      `arn:aws:iam::${config.deployment.targetAccount}:role/${functionRoleName(config.stage, name, config.deployment.targetRegion)}`,
  );

/**
 * Deployed in the source account. A role only the target account's migration functions can
 * assume, and only with the ExternalId; it may make exactly the read and password-check calls
 * the functions make, on the source pool alone. Optionally an app client for the password
 * check that allows ALLOW_ADMIN_USER_PASSWORD_AUTH and nothing else.
 */
export class SourceAccessStack extends Stack {
  readonly role: iam.Role;
  readonly migrationClient: cognito.CfnUserPoolClient | undefined;

  constructor(scope: Construct, id: string, props: SourceAccessStackProps) {
    super(scope, id, props);
    const { config } = props;
    const externalId = config.migration.source.externalId;
    if (!externalId) throw new Error('SourceAccessStack needs migration.source.externalId');

    // The principal is the target account; the condition narrows it to the named roles. Naming
    // the roles as principals would make IAM reject this policy until they exist, and they are
    // deployed afterwards, in the other account.
    const principal = new iam.AccountPrincipal(config.deployment.targetAccount).withConditions({
      StringEquals: { 'sts:ExternalId': externalId },
      ArnEquals: { 'aws:PrincipalArn': trustedRoleArns(config) },
    });
    this.role = new iam.Role(this, 'SourceReadRole', {
      roleName: config.deployment.sourceAccess.roleName,
      assumedBy: principal,
      maxSessionDuration: Duration.hours(1),
      description: `cognito-migrate (${config.stage}): read-only access to source pool ${config.migration.source.userPoolId}`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: sourceRoleActions(), resources: [sourcePoolArn(config)] }),
    );
    new CfnOutput(this, 'SourceRoleArn', {
      value: this.role.roleArn,
      description: 'migration.source.roleArn for the target stack',
    });

    if (config.deployment.sourceAccess.createMigrationClient) {
      this.migrationClient = new cognito.CfnUserPoolClient(this, 'MigrationClient', {
        userPoolId: config.migration.source.userPoolId,
        clientName: `cognito-migrate-${config.stage}`,
        // Server-side password checks only: no SRP, no plain USER_PASSWORD_AUTH from browsers,
        // no refresh (the migrator revokes the refresh token it is issued right away).
        explicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'],
        generateSecret: false,
        enableTokenRevocation: true,
        preventUserExistenceErrors: 'ENABLED',
        accessTokenValidity: 5,
        idTokenValidity: 5,
        refreshTokenValidity: 60,
        tokenValidityUnits: { accessToken: 'minutes', idToken: 'minutes', refreshToken: 'minutes' },
      });
      new CfnOutput(this, 'MigrationClientId', {
        value: this.migrationClient.ref,
        description: 'migration.source.migrationClientId for the target stack',
      });
    }
  }
}
