import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { OPERATIONAL_REASONS } from '#shared/refusal-reasons';
import { METRICS_NAMESPACE } from '#shared/metrics';

/**
 * The metrics contract with the functions (Powertools Metrics, EMF): namespace
 * `CognitoMigrate`, dimension `service` = the function name (POWERTOOLS_SERVICE_NAME) plus
 * `Outcome` (Migrations), `Reason` (Refusals) or `Category` (Throttles, a quota category).
 * `Throttles` is also emitted with `service` alone so one alarm can sum it.
 */
export const METRICS = {
  namespace: METRICS_NAMESPACE,
  migrations: 'Migrations',
  refusals: 'Refusals',
  throttles: 'Throttles',
  usersExported: 'UsersExported',
} as const;

/** Cognito waits this long for a trigger before it gives up (and retries). */
const TRIGGER_BUDGET_MS = 5000;

export interface MigrationDashboardProps {
  dashboardName: string;
  triggerFunctions: IFunction[];
  allFunctions: IFunction[];
  lazyMigrate: IFunction;
  stateMachine: IStateMachine;
}

const search = (expression: string, label: string, period: Duration) =>
  new cloudwatch.MathExpression({ expression, label, period });

/**
 * One dashboard for the migration (migrations per hour by outcome, refusals by reason, trigger
 * latency against the 5 s budget, throttles per quota category, bulk-sync progress) and the
 * alarms an operator acts on: operational refusals, throttling and slow triggers.
 */
export class MigrationDashboard extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: MigrationDashboardProps) {
    super(scope, id);
    const ns = METRICS.namespace;
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.dashboardName });
    const latency = props.triggerFunctions.map((fn) =>
      fn.metricDuration({ statistic: 'p99', period: Duration.minutes(1) }),
    );
    dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Migrations per hour by outcome',
        left: [
          search(
            `SEARCH('{${ns},Outcome,service} MetricName="${METRICS.migrations}"', 'Sum', 3600)`,
            '',
            Duration.hours(1),
          ),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Refusals by reason',
        left: [
          search(
            `SEARCH('{${ns},Reason,service} MetricName="${METRICS.refusals}"', 'Sum', 300)`,
            '',
            Duration.minutes(5),
          ),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Trigger latency p99 (Cognito budget 5 s)',
        left: latency,
        leftAnnotations: [{ value: TRIGGER_BUDGET_MS, label: 'Cognito trigger timeout', color: '#d62728' }],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Throttles per quota category',
        left: [
          search(
            `SEARCH('{${ns},Category,service} MetricName="${METRICS.throttles}"', 'Sum', 60)`,
            '',
            Duration.minutes(1),
          ),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Bulk sync progress',
        left: [
          search(
            `SEARCH('{${ns},service} MetricName="${METRICS.usersExported}"', 'Sum', 300)`,
            '',
            Duration.minutes(5),
          ),
        ],
        right: [
          props.stateMachine.metricStarted(),
          props.stateMachine.metricSucceeded(),
          props.stateMachine.metricFailed(),
        ],
        width: 12,
      }),
    );

    const lazyService = props.lazyMigrate.functionName;
    const refusalMetrics = Object.fromEntries(
      [...OPERATIONAL_REASONS].map((reason, i) => [
        `r${i}`,
        new cloudwatch.Metric({
          namespace: ns,
          metricName: METRICS.refusals,
          dimensionsMap: { service: lazyService, Reason: reason },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
      ]),
    );
    this.alarms.push(
      new cloudwatch.MathExpression({
        expression: Object.keys(refusalMetrics).join(' + '),
        usingMetrics: refusalMetrics,
        label: 'Operational refusals',
        period: Duration.minutes(5),
      }).createAlarm(this, 'OperationalRefusals', {
        alarmDescription:
          'Sign-ins refused for operational reasons (source unreachable or throttled, deadline, misconfiguration): users see "try again later"',
        threshold: 10,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    const throttleMetrics = Object.fromEntries(
      props.allFunctions.map((fn, i) => [
        `t${i}`,
        new cloudwatch.Metric({
          namespace: ns,
          metricName: METRICS.throttles,
          dimensionsMap: { service: fn.functionName },
          statistic: 'Sum',
          period: Duration.minutes(5),
        }),
      ]),
    );
    this.alarms.push(
      new cloudwatch.MathExpression({
        expression: Object.keys(throttleMetrics).join(' + '),
        usingMetrics: throttleMetrics,
        label: 'Cognito throttles',
        period: Duration.minutes(5),
      }).createAlarm(this, 'Throttling', {
        alarmDescription:
          'Cognito answered TooManyRequestsException: the migrator is eating into quotas the applications share; lower quotaShare',
        threshold: 50,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    props.triggerFunctions.forEach((fn, i) => {
      this.alarms.push(
        latency[i]!.createAlarm(this, `TriggerLatency${i}`, {
          alarmDescription: 'Trigger p99 latency near Cognito’s 5 s limit: sign-ins will start to time out',
          threshold: 4000,
          evaluationPeriods: 3,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    });
  }
}
