import { readFileSync } from 'node:fs';
import { allStates, loadDefinition } from '#local/stepfunctions/definition';
import { runStateMachine } from '#local/stepfunctions/index';
import { BULK_EXPORT_ARN, DEFINITION_FILE } from './harness';

const substitutions = { BulkExportFunctionArn: BULK_EXPORT_ARN };
const states = () => allStates(loadDefinition(DEFINITION_FILE, substitutions));

/** A stand-in for bulk-export: each loop (each shard's too) is done on its second call. */
const scripted = (overrides: Partial<Record<string, (event: Record<string, unknown>) => unknown>> = {}) => {
  const calls: Record<string, unknown>[] = [];
  const handler = async (event: unknown) => {
    const e = event as Record<string, unknown>;
    calls.push(e);
    const override = overrides[String(e.task)];
    if (override) return override(e);
    const n = calls.filter((c) => c.task === e.task && c.shard === e.shard).length;
    switch (e.task) {
      case 'start':
        return { runId: 'run-1', shards: ['0', '1', '2'], maxConcurrency: 2, budgetMs: 0, resumed: false };
      case 'finish':
        return {
          done: n >= 2,
          seen: 3,
          sourceDeleted: 0,
          ...(n >= 2 ? { summary: { runId: 'run-1', users: 3 } } : {}),
        };
      default:
        return { done: n % 2 === 0, counted: 1, pages: 1 };
    }
  };
  return { calls, handler };
};

describe('statemachines/bulk-sync.asl.json', () => {
  it('takes every ARN through a ${...} substitution', () => {
    const text = readFileSync(DEFINITION_FILE, 'utf8');

    expect(text).not.toMatch(/"arn:aws/);
    expect([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1])).toEqual(
      expect.arrayContaining(['BulkExportFunctionArn']),
    );
    expect(() => loadDefinition(DEFINITION_FILE, {})).toThrow(/BulkExportFunctionArn/);
  });

  it('uses JSONPath only: no JSONata, no Variables, no Distributed Map (the local engine has none of them)', () => {
    const text = readFileSync(DEFINITION_FILE, 'utf8');

    expect(text).not.toMatch(/"QueryLanguage"|"Assign"|"Arguments"|"Output"|\{%/);
    for (const [, state] of states()) {
      expect(JSON.stringify((state as { ItemProcessor?: unknown }).ItemProcessor ?? {})).not.toMatch(
        /DISTRIBUTED/,
      );
    }
  });

  it('retries throttling and Lambda service errors on every task with backoff and FULL jitter', () => {
    for (const [name, state] of states().filter(([, s]) => s.Type === 'Task')) {
      const retry = (state.Retry ?? []) as {
        ErrorEquals: string[];
        BackoffRate?: number;
        JitterStrategy?: string;
      }[];
      const errors = retry.flatMap((r) => r.ErrorEquals);
      expect({ name, errors }).toEqual({
        name,
        errors: expect.arrayContaining([
          'SourceThrottledError',
          'TargetThrottledError',
          'Lambda.ServiceException',
          'Lambda.TooManyRequestsException',
        ]),
      });
      for (const retrier of retry) expect(retrier).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
    }
  });

  it('runs the loops until each task reports done, and outputs the Finish summary', async () => {
    const { calls, handler } = scripted();

    const result = await runStateMachine({
      definitionFile: DEFINITION_FILE,
      substitutions,
      lambdas: { [BULK_EXPORT_ARN]: handler },
      input: { maxConcurrency: 2 },
      executionName: 'exec-1',
    });

    expect(result).toMatchObject({ status: 'SUCCEEDED', output: { runId: 'run-1', users: 3 } });
    expect(calls[0]).toEqual({ task: 'start', input: { maxConcurrency: 2 }, executionName: 'exec-1' });
    expect(
      calls
        .filter((c) => c.task === 'users')
        .map((c) => c.shard)
        .sort(),
    ).toEqual(['0', '0', '1', '1', '2', '2']);
    expect(calls.find((c) => c.task === 'users')).toMatchObject({ runId: 'run-1', workers: 2, budgetMs: 0 });
    expect(calls.filter((c) => c.task === 'groups')).toHaveLength(2);
    expect(calls.filter((c) => c.task === 'finish')[1]).toMatchObject({ state: { done: false, seen: 3 } });
  });

  it('retries a throttled task in place (intervals overridden to 0) and continues', async () => {
    let throttles = 0;
    const { calls, handler } = scripted({
      groups: () => {
        if (throttles++ < 3)
          throw Object.assign(new Error('Rate exceeded'), { name: 'SourceThrottledError' });
        return { done: true, counted: 1, pages: 1 };
      },
    });

    const result = await runStateMachine({
      definitionFile: DEFINITION_FILE,
      substitutions,
      lambdas: { [BULK_EXPORT_ARN]: handler },
      input: {},
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(3);
    expect(calls.filter((c) => c.task === 'fail')).toHaveLength(0);
  });

  it('sends an uncaught task error to the fail task with the run state, then fails with the Lambda-shaped cause', async () => {
    const { calls, handler } = scripted({
      memberships: () => {
        throw Object.assign(new Error('shard 3 counted twice'), { name: 'ShardIntegrityError' });
      },
    });

    const result = await runStateMachine({
      definitionFile: DEFINITION_FILE,
      substitutions,
      lambdas: { [BULK_EXPORT_ARN]: handler },
      input: {},
    });

    const cause = JSON.stringify({ errorType: 'ShardIntegrityError', errorMessage: 'shard 3 counted twice' });
    expect(result).toMatchObject({ status: 'FAILED', error: { Error: 'ShardIntegrityError', Cause: cause } });
    expect(calls.find((c) => c.task === 'fail')).toMatchObject({
      state: { runId: 'run-1' },
      error: { Error: 'ShardIntegrityError', Cause: cause },
    });
  });

  it('refuses to run a Task whose Lambda ARN has no local handler', async () => {
    await expect(
      runStateMachine({ definitionFile: DEFINITION_FILE, substitutions, lambdas: {}, input: {} }),
    ).rejects.toThrow(/no local handler/);
  });
});
