import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';

/** The trigger's metrics: one count per outcome (dimension `reason`) and its latency. */
export interface OutcomeMetrics {
  outcome(result: 'migrated' | 'refused', reason: string, latencyMs: number): void;
  /** A count of something worth an alarm that is not an outcome (a failed table write). */
  count(name: string): void;
}

/** OutcomeMetrics on Powertools Metrics (EMF): single metrics, so each carries its own dimensions. */
export const powertoolsOutcomeMetrics = (metrics: Metrics): OutcomeMetrics => ({
  outcome: (result, reason, latencyMs) => {
    const single = metrics.singleMetric();
    single.addDimensions({ result, reason });
    single.addMetric(result === 'migrated' ? 'Migrated' : 'Refused', MetricUnit.Count, 1);
    const latency = metrics.singleMetric();
    latency.addDimensions({ result });
    latency.addMetric('TriggerLatency', MetricUnit.Milliseconds, latencyMs);
  },
  count: (name) => {
    metrics.singleMetric().addMetric(name, MetricUnit.Count, 1);
  },
});

/** Metrics that go nowhere; for tests that do not look at them. */
export const noMetrics: OutcomeMetrics = { outcome: () => undefined, count: () => undefined };
