import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

/**
 * The trigger's metrics, in the contract infra's dashboard and alarms read (namespace
 * `CognitoMigrate`, default dimension `service`): `Migrations` by `Outcome`, `Refusals` by
 * `Reason`, and `TriggerLatency` by `Outcome`.
 */
export interface OutcomeMetrics {
  outcome(result: 'migrated' | 'refused', reason: string, latencyMs: number): void;
  /** A count of something worth an alarm that is not an outcome (a failed table write). */
  count(name: string): void;
}

/** OutcomeMetrics on Powertools Metrics (EMF): single metrics, so each carries its own dimensions. */
export const powertoolsOutcomeMetrics = (metrics: Metrics): OutcomeMetrics => ({
  outcome: (result, reason, latencyMs) => {
    const single = metrics.singleMetric();
    if (result === 'migrated') {
      single.addDimensions({ Outcome: reason });
      single.addMetric('Migrations', MetricUnit.Count, 1);
    } else {
      single.addDimensions({ Reason: reason });
      single.addMetric('Refusals', MetricUnit.Count, 1);
    }
    const latency = metrics.singleMetric();
    latency.addDimensions({ Outcome: result });
    latency.addMetric('TriggerLatency', MetricUnit.Milliseconds, latencyMs);
  },
  count: (name) => {
    metrics.singleMetric().addMetric(name, MetricUnit.Count, 1);
  },
});

/** Metrics that go nowhere; for tests that do not look at them. */
export const noMetrics: OutcomeMetrics = { outcome: () => undefined, count: () => undefined };
