import { readFileSync } from 'node:fs';
import { type CfnResource, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ignoreRedundantRoleDependency } from './migration-function';

/** `${Name}` placeholders in an ASL file, as `definitionSubstitutions` fills them. */
export const aslPlaceholders = (definition: string): string[] =>
  [...new Set([...definition.matchAll(/\$\{([^}]+)\}/g)].map((match) => match[1]!))].sort();

export interface BulkSyncStateMachineProps {
  /** Absolute path of the ASL file (JSONPath only; the local runner executes the same file). */
  definitionFile: string;
  /** A value for every `${Name}` in the file. */
  substitutions: Record<string, string>;
  /** Functions the definition invokes; the state machine role may invoke exactly these. */
  invokes: IFunction[];
  logRetention: RetentionDays;
  /** @default RemovalPolicy.DESTROY for the log group */
  logRemovalPolicy?: RemovalPolicy;
  stateMachineName: string;
  /** @default 24 hours: a bulk sync of a few million users at the shared quota takes hours */
  timeout?: Duration;
}

/**
 * The bulk-sync state machine, loaded verbatim from its ASL file. Every execution event is
 * logged (without execution data: the payloads hold user attributes) and traced with X-Ray.
 */
export class BulkSyncStateMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: BulkSyncStateMachineProps) {
    super(scope, id);
    const missing = aslPlaceholders(readFileSync(props.definitionFile, 'utf8')).filter(
      (name) => !(name in props.substitutions),
    );
    if (missing.length > 0) {
      throw new Error(
        `${props.definitionFile} uses \${${missing.join('}, ${')}} but the stack substitutes only ` +
          `${Object.keys(props.substitutions).join(', ') || 'nothing'}; add them to the substitutions`,
      );
    }
    const logGroup = new LogGroup(this, 'Logs', {
      logGroupName: `/aws/vendedlogs/states/${props.stateMachineName}`,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineName: props.stateMachineName,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromFile(props.definitionFile),
      definitionSubstitutions: props.substitutions,
      timeout: props.timeout ?? Duration.hours(24),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    ignoreRedundantRoleDependency(this.stateMachine.node.defaultChild as CfnResource);
    if (props.invokes.length > 0) {
      // Unqualified ARNs only: grantInvoke would add `<arn>:*` (every version and alias).
      this.stateMachine.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: props.invokes.map((fn) => fn.functionArn),
        }),
      );
    }
    Validations.of(this.stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments/GetSampling* and CloudWatch Logs vended delivery (CreateLogDelivery etc.) do not support resource-level permissions',
    });
  }
}
