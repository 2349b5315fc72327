import { type CfnElement, CustomResource, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import type { AttachTriggersProperties } from '../custom-resources/attach-triggers/attach-triggers';
import type { Triggers } from '../custom-resources/attach-triggers/lambda-config';
import { MigrationFunction } from './migration-function';

export interface ExistingPoolTriggersProps {
  userPoolId: string;
  userPoolArn: string;
  triggers: Triggers;
  functionName: string;
  roleName: string;
  logRetention: RetentionDays;
}

/**
 * Attaches the migration triggers to a pool this stack does not own. A custom resource reads
 * the pool (DescribeUserPool) and writes it back with only LambdaConfig changed, because
 * UpdateUserPool resets every setting it is not given; on delete it detaches them again.
 */
export class ExistingPoolTriggers extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ExistingPoolTriggersProps) {
    super(scope, id);
    const onEvent = new MigrationFunction(this, 'OnEvent', {
      entry: 'infra/custom-resources/attach-triggers/handler.ts',
      functionName: props.functionName,
      roleName: props.roleName,
      logRetention: props.logRetention,
      timeout: Duration.minutes(1),
      memorySize: 256,
      description: 'Attaches the migration triggers to an existing user pool, preserving its settings',
    });
    onEvent.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['cognito-idp:DescribeUserPool', 'cognito-idp:UpdateUserPool'],
        resources: [props.userPoolArn],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', { onEventHandler: onEvent });
    const properties: AttachTriggersProperties = { UserPoolId: props.userPoolId, Triggers: props.triggers };
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::MigrationTriggers',
      properties,
    });

    const framework = provider.node.findChild('framework-onEvent');
    Validations.of(framework).acknowledge(
      {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason: 'The CDK Provider framework function’s own role; it only writes its logs',
      },
      {
        id: 'AwsSolutions-L1',
        reason: 'The CDK Provider framework function’s runtime is chosen by aws-cdk-lib',
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(onEvent.node.defaultChild as CfnElement)}.Arn>:*]`,
        reason:
          'The Provider framework may invoke versions of the onEvent function; it is the only function it may invoke',
      },
    );
  }
}
