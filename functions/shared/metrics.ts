import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { QuotaCategory } from './quotas';

/** The CloudWatch namespace infra's dashboard and alarms read. */
export const METRICS_NAMESPACE = 'CognitoMigrate';

/**
 * Powertools Metrics for a function; the `service` dimension comes from POWERTOOLS_SERVICE_NAME
 * (the function name, set by infra), which the dashboard's SEARCH expressions select on.
 */
export const createMetrics = (): Metrics => new Metrics({ namespace: METRICS_NAMESPACE });

/**
 * A rate limiter's `onThrottle` that emits `Throttles` twice: by `Category` for the dashboard,
 * and by `service` alone so one alarm can sum every category.
 */
export const throttleMetric =
  (metrics: Metrics) =>
  (category: QuotaCategory): void => {
    const byCategory = metrics.singleMetric();
    byCategory.addDimensions({ Category: category });
    byCategory.addMetric('Throttles', MetricUnit.Count, 1);
    metrics.singleMetric().addMetric('Throttles', MetricUnit.Count, 1);
  };

/** Emits `name` as a count (skipped when zero, so idle rounds cost nothing). */
export const countMetric =
  (metrics: Metrics, name: string) =>
  (count: number): void => {
    if (count > 0) metrics.singleMetric().addMetric(name, MetricUnit.Count, count);
  };
