import { CfnOutput, Duration, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ConfigError } from '#shared/errors';
import type { InfraConfig } from '../config';
import {
  FUNCTION_PERMISSIONS,
  functionRoleName,
  OPERATOR_SOURCE_ACTIONS,
  sourceReaders,
  sourceRoleName,
  type FunctionName,
} from '../permissions';

export interface SourceAccessStackProps extends StackProps {
  config: InfraConfig;
}

/** The source pool's ARN, named exactly (never `userpool/*`). */
export const sourcePoolArn = (config: InfraConfig): string =>
  `arn:aws:cognito-idp:${config.deployment.sourceRegion}:${config.deployment.sourceAccount}:userpool/${config.migration.source.userPoolId}`;

/** The target-side role of one migration function, which alone may assume that function's source role. */
export const functionRoleArn = (config: InfraConfig, name: FunctionName): string =>
  `arn:aws:iam::${config.deployment.targetAccount}:role/${functionRoleName(config.stage, name, config.deployment.targetRegion)}`;

/**
 * The ExternalId the trust policies require. Kept as a Secrets Manager secret, it goes into the
 * template as a dynamic reference CloudFormation resolves at deploy time, never as the value.
 * IAM trust policies cannot take an `ssm-secure` reference, so an SSM-kept ExternalId is refused.
 */
export const trustedExternalId = (config: InfraConfig): string => {
  const { externalId, externalIdRef } = config.migration.source;
  if (externalId) return externalId;
  if (externalIdRef && 'secretsManagerArn' in externalIdRef) {
    return SecretValue.secretsManager(externalIdRef.secretsManagerArn, {
      ...(externalIdRef.jsonKey ? { jsonField: externalIdRef.jsonKey } : {}),
    }).unsafeUnwrap();
  }
  throw new ConfigError(
    "migration.source.externalIdRef: the source account's trust policies need the ExternalId, and CloudFormation " +
      'resolves only Secrets Manager references there; keep it in Secrets Manager (readable by the source account) or give externalId',
    ['migration.source.externalIdRef'],
  );
};

const accountOf = (arn: string): string => arn.split(':')[4]!;

/**
 * Deployed in the source account. One role per function that reads the source pool, which only
 * that function's role in the target account can assume (with the ExternalId), allowed exactly
 * that function's calls on the source pool alone: lazy-migrate may check a password but not
 * list users; bulk-export may list but not check passwords. Optionally a read-only operator role
 * for the CLI, and an app client for the password check that allows
 * ALLOW_ADMIN_USER_PASSWORD_AUTH and nothing else.
 */
export class SourceAccessStack extends Stack {
  readonly roles: Partial<Record<FunctionName, iam.Role>> = {};
  readonly operatorRole: iam.Role | undefined;
  readonly migrationClient: cognito.CfnUserPoolClient | undefined;

  constructor(scope: Construct, id: string, props: SourceAccessStackProps) {
    super(scope, id, props);
    const { config } = props;
    const externalId = trustedExternalId(config);
    const { roleName: baseName, operatorPrincipalArns } = config.deployment.sourceAccess;

    for (const name of sourceReaders()) {
      // The principal is the target account; the condition narrows it to the function's role.
      // Naming the role as principal would make IAM reject this policy until it exists, and it
      // is deployed afterwards, in the other account.
      const role = new iam.Role(this, `${pascal(name)}SourceRole`, {
        roleName: sourceRoleName(baseName, name),
        assumedBy: new iam.AccountPrincipal(config.deployment.targetAccount).withConditions({
          StringEquals: { 'sts:ExternalId': externalId },
          ArnEquals: { 'aws:PrincipalArn': [functionRoleArn(config, name)] },
        }),
        maxSessionDuration: Duration.hours(1),
        description: `cognito-migrate (${config.stage}): ${name}'s calls on source pool ${config.migration.source.userPoolId}`,
      });
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...FUNCTION_PERMISSIONS[name].source],
          resources: [sourcePoolArn(config)],
        }),
      );
      this.roles[name] = role;
      new CfnOutput(this, `${pascal(name)}SourceRoleArn`, {
        value: role.roleArn,
        description: `The source role ${name} assumes`,
      });
    }

    if (operatorPrincipalArns.length > 0) {
      const byAccount = new Map<string, string[]>();
      for (const arn of operatorPrincipalArns) {
        byAccount.set(accountOf(arn), [...(byAccount.get(accountOf(arn)) ?? []), arn]);
      }
      const principals = [...byAccount].map(([account, arns]) =>
        new iam.AccountPrincipal(account).withConditions({
          StringEquals: { 'sts:ExternalId': externalId },
          // ArnLike: Identity Center roles carry a generated suffix the operator may wildcard.
          ArnLike: { 'aws:PrincipalArn': arns },
        }),
      );
      this.operatorRole = new iam.Role(this, 'OperatorSourceRole', {
        roleName: sourceRoleName(baseName, 'operator'),
        assumedBy: principals[0]!,
        maxSessionDuration: Duration.hours(1),
        description: `cognito-migrate (${config.stage}): the operator's read-only access to source pool ${config.migration.source.userPoolId}`,
      });
      for (const principal of principals.slice(1)) {
        this.operatorRole.assumeRolePolicy!.addStatements(
          new iam.PolicyStatement({ actions: ['sts:AssumeRole'], principals: [principal] }),
        );
      }
      this.operatorRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: [...OPERATOR_SOURCE_ACTIONS],
          resources: [sourcePoolArn(config)],
        }),
      );
      new CfnOutput(this, 'OperatorSourceRoleArn', {
        value: this.operatorRole.roleArn,
        description: 'The read-only source role the CLI assumes',
      });
    }

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

const pascal = (name: string): string => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
