import { randomUUID } from 'node:crypto';
import type { FunctionInvoker } from './invoker';

/** The record Lambda sends an on-failure destination (its documented invocation record). */
export interface InvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: 'RetriesExhausted';
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  responseContext: { statusCode: 200; executedVersion: '$LATEST'; functionError: 'Unhandled' };
  responsePayload: { errorType: string; errorMessage: string };
}

export interface AsyncInvokeConfig {
  /** MaximumRetryAttempts of the function's EventInvokeConfig. @default 2 (Lambda's) */
  maximumRetryAttempts?: number;
  /** Where a record goes once every attempt failed. */
  onFailure?: (record: InvocationRecord) => void;
  /** Pause before each retry. Lambda waits about 1 and then 2 minutes. @default 0 locally */
  retryDelayMs?: number;
}

/**
 * Lambda's asynchronous (`Event`) invocations of one function: queued and answered at once,
 * then run with the configured number of retries, and a record of each event that failed every
 * attempt sent to the on-failure destination.
 */
export class AsyncInvoker {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly invoker: FunctionInvoker,
    private readonly config: AsyncInvokeConfig = {},
  ) {}

  /** Queues one event; returns its request id, as Lambda's 202 answer does. */
  enqueue(event: unknown): string {
    const requestId = randomUUID();
    const run = this.run(requestId, event);
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return requestId;
  }

  private async run(requestId: string, event: unknown): Promise<void> {
    const attempts = 1 + (this.config.maximumRetryAttempts ?? 2);
    for (let attempt = 1; ; attempt += 1) {
      const result = await this.invoker.invoke(event).catch((error: Error) => ({
        ok: false as const,
        error: { errorType: error.name, errorMessage: error.message },
      }));
      if (result.ok) return;
      if (attempt >= attempts) {
        this.config.onFailure?.({
          version: '1.0',
          timestamp: new Date().toISOString(),
          requestContext: {
            requestId,
            functionArn: `${this.invoker.spec.functionArn}:$LATEST`,
            condition: 'RetriesExhausted',
            approximateInvokeCount: attempt,
          },
          requestPayload: event,
          responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
          responsePayload: { errorType: result.error.errorType, errorMessage: result.error.errorMessage },
        });
        return;
      }
      const delay = this.config.retryDelayMs ?? 0;
      if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay).unref());
    }
  }

  /** Resolves once no queued event is left (continuations queued meanwhile included). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
