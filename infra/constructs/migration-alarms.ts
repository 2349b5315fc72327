import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '#shared/metrics';

/**
 * Every alarm this stack raises, by construct id. The README's runbook has one entry per id
 * (a test checks it), saying what the alarm means and what to do.
 */
export const ALARM_IDS = [
  'BulkSyncFailed',
  'BulkSyncTimedOut',
  'BulkSyncAborted',
  'BulkSyncStalled',
  'LazyMigrateErrors',
  'GroupSyncErrors',
  'BulkExportErrors',
  'ReconcileErrors',
  'GroupSyncAsyncDropped',
  'GroupSyncFailedEvents',
  'ReconcileScheduleTargetErrors',
  'ReconcileScheduleDeadLetters',
] as const;
export type AlarmId = (typeof ALARM_IDS)[number];

export interface MigrationAlarmsProps {
  functions: {
    'lazy-migrate': IFunction;
    'group-sync': IFunction;
    'bulk-export': IFunction;
    reconcile: IFunction;
  };
  stateMachine: IStateMachine;
  /** The reconcile schedule's dead-letter queue. */
  scheduleDeadLetterQueue: IQueue;
  /** The schedule's group, for Scheduler's metrics. @default 'default' */
  scheduleGroup?: string;
  /** group-sync's on-failure destination for asynchronous invocations, when it has one. */
  groupSyncFailureQueue?: IQueue;
  /** An existing topic to notify. @default a topic created here */
  topicArn?: string;
  /** Email addresses subscribed to the topic. @default none */
  emails?: readonly string[];
  /** Name of a created topic. */
  topicName: string;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The alarms that page someone during a migration window: bulk-sync executions failed, timed
 * out, aborted or running without progress; Lambda errors of every function; group-sync's
 * asynchronous invocations dropped or sent to its failure destination; the reconcile schedule's
 * target failing or dead-lettered. Every alarm (and every alarm given to `notify`) notifies one
 * SNS topic: the configured one, or one created here.
 */
export class MigrationAlarms extends Construct {
  readonly topic: sns.ITopic;
  readonly alarms: Partial<Record<AlarmId, cloudwatch.Alarm>> = {};
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MigrationAlarmsProps) {
    super(scope, id);
    if (props.topicArn) {
      this.topic = sns.Topic.fromTopicArn(this, 'Topic', props.topicArn);
    } else {
      const topic = new sns.Topic(this, 'Topic', { topicName: props.topicName, enforceSSL: true });
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry no user data, and CloudWatch cannot publish to a topic encrypted with the AWS managed SNS key',
      });
      this.topic = topic;
    }
    for (const email of props.emails ?? [])
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.action = new SnsAction(this.topic);

    const sfn = props.stateMachine;
    const sum = { statistic: 'Sum', period: FIVE_MINUTES };
    this.add('BulkSyncFailed', sfn.metricFailed(sum), {
      description: 'A bulk-sync execution failed: the snapshot in the migration table is incomplete',
    });
    this.add('BulkSyncTimedOut', sfn.metricTimedOut(sum), {
      description: 'A bulk-sync execution hit the state machine timeout before finishing',
    });
    this.add('BulkSyncAborted', sfn.metricAborted(sum), {
      description: 'A bulk-sync execution was aborted (stopped by someone or by a redeploy)',
    });

    const exporter = props.functions['bulk-export'];
    this.add(
      'BulkSyncStalled',
      new cloudwatch.MathExpression({
        // Tasks are being invoked (a sync is RUNNING) but no user was newly counted for 30 min.
        expression: 'IF(invocations > 0 AND FILL(exported, 0) == 0, 1, 0)',
        usingMetrics: {
          invocations: exporter.metricInvocations({ statistic: 'Sum', period: Duration.minutes(10) }),
          exported: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'UsersExported',
            dimensionsMap: { service: exporter.functionName },
            statistic: 'Sum',
            period: Duration.minutes(10),
          }),
        },
        period: Duration.minutes(10),
        label: 'bulk sync running without progress',
      }),
      {
        description:
          'A bulk sync is RUNNING (bulk-export invoked) but exported no new user for 30 minutes: stuck on throttling, a lease or a failing page',
        evaluationPeriods: 3,
      },
    );

    // Every refusal is a thrown error (that is how UserMigration refuses), and each one is also
    // counted as TriggerLatency with Outcome=refused: what is left are crashes.
    const lazy = props.functions['lazy-migrate'];
    this.add(
      'LazyMigrateErrors',
      new cloudwatch.MathExpression({
        expression: 'errors - FILL(refused, 0)',
        usingMetrics: {
          errors: lazy.metricErrors(sum),
          refused: new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName: 'TriggerLatency',
            dimensionsMap: { service: lazy.functionName, Outcome: 'refused' },
            statistic: 'SampleCount',
            period: FIVE_MINUTES,
          }),
        },
        period: FIVE_MINUTES,
        label: 'lazy-migrate errors other than refusals',
      }),
      { description: 'lazy-migrate failed other than by refusing a sign-in (crash, init failure, timeout)' },
    );
    this.add('GroupSyncErrors', props.functions['group-sync'].metricErrors(sum), {
      description: 'group-sync failed: migrated users may be missing group memberships or token claims',
    });
    // Tasks throw named errors the state machine retries; a few are expected, a run of them is not.
    this.add('BulkExportErrors', exporter.metricErrors(sum), {
      description:
        'bulk-export tasks keep failing (retried by the state machine, but at this rate it will fail)',
      threshold: 10,
    });
    this.add('ReconcileErrors', props.functions.reconcile.metricErrors(sum), {
      description: 'The reconciler failed: stragglers, repairs or the reset campaign did not run',
    });
    this.add('GroupSyncAsyncDropped', props.functions['group-sync'].metric('AsyncEventsDropped', sum), {
      description:
        'Lambda dropped asynchronous group-sync invocations (groups a trigger could not apply in time); the next sign-in applies them',
    });
    if (props.groupSyncFailureQueue) {
      this.add(
        'GroupSyncFailedEvents',
        props.groupSyncFailureQueue.metricApproximateNumberOfMessagesVisible({
          statistic: 'Maximum',
          period: FIVE_MINUTES,
        }),
        {
          description:
            'group-sync asynchronous invocations failed after their retries and wait in the failure queue',
        },
      );
    }
    const group = props.scheduleGroup ?? 'default';
    this.add(
      'ReconcileScheduleTargetErrors',
      new cloudwatch.Metric({
        namespace: 'AWS/Scheduler',
        metricName: 'TargetErrorCount',
        dimensionsMap: { ScheduleGroup: group },
        ...sum,
      }),
      { description: 'EventBridge Scheduler could not invoke the reconciler' },
    );
    this.add(
      'ReconcileScheduleDeadLetters',
      props.scheduleDeadLetterQueue.metricApproximateNumberOfMessagesVisible({
        statistic: 'Maximum',
        period: FIVE_MINUTES,
      }),
      {
        description:
          'A scheduled reconcile run was given up after retries and sits in the schedule dead-letter queue',
      },
    );
  }

  /** Sends an alarm created elsewhere (the dashboard's) to the same topic. */
  notify(alarm: cloudwatch.IAlarm & { addAlarmAction(...actions: cloudwatch.IAlarmAction[]): void }): void {
    alarm.addAlarmAction(this.action);
  }

  private add(
    id: AlarmId,
    metric: cloudwatch.IMetric,
    options: { description: string; threshold?: number; evaluationPeriods?: number },
  ): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      metric,
      alarmDescription: `${options.description}. Runbook: README "Alarms", ${id}`,
      threshold: options.threshold ?? 1,
      evaluationPeriods: options.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(this.action);
    this.alarms[id] = alarm;
  }
}
