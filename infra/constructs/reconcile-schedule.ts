import { Duration, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface ReconcileScheduleProps {
  fn: IFunction;
  /** An EventBridge Scheduler expression, e.g. `rate(1 hour)`. */
  expression: string;
  /** @default 'UTC' */
  timezone?: string;
  scheduleName: string;
}

/** The input the scheduled invocation sends: the reconcile function's `{ action: 'reconcile' }` event. */
export const RECONCILE_INPUT = { action: 'reconcile' } as const;

/**
 * EventBridge Scheduler invoking the reconciler. Scheduler (not an EventBridge rule) because it
 * retries with its own policy and needs no event bus; its role may invoke this one function only.
 */
export class ReconcileSchedule extends Construct {
  readonly schedule: scheduler.CfnSchedule;
  /** Invocations Scheduler gave up on (after its retries) land here; an alarm watches it. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ReconcileScheduleProps) {
    super(scope, id);
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': props.fn.env.account } },
      }),
      description: `Lets EventBridge Scheduler invoke ${props.scheduleName}`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.fn.functionArn] }),
    );
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetterQueue.grantSendMessages(role);
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the dead-letter queue of the reconcile schedule; an alarm fires on its first message',
    });
    this.schedule = new scheduler.CfnSchedule(this, 'Schedule', {
      name: props.scheduleName,
      scheduleExpression: props.expression,
      scheduleExpressionTimezone: props.timezone ?? 'UTC',
      flexibleTimeWindow: { mode: 'OFF' },
      target: {
        arn: props.fn.functionArn,
        roleArn: role.roleArn,
        input: JSON.stringify(RECONCILE_INPUT),
        // A missed run is caught up by the next one; piling retries onto a slow run would not help.
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: Duration.hours(1).toSeconds() },
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
      },
    });
  }
}
