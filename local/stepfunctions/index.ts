import '#local/polyfills';
import { randomUUID } from 'node:crypto';
import { StateMachine } from 'aws-local-stepfunctions';
import { allStates, loadDefinition, substituteDefinition } from './definition';

/** One entry of the engine's execution event log (the package does not export the type). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

/** A Lambda handler as the runner calls it: the task's input in, its result out. */
export type LocalLambda = (event: unknown) => Promise<unknown>;

export interface RunStateMachineOptions {
  /** An ASL file, e.g. `statemachines/bulk-sync.asl.json`. */
  definitionFile: string;
  /** The definition's text instead of reading `definitionFile` (which then only names it). */
  definition?: string;
  /** Values for the file's `${Name}` placeholders (the same map CDK gets). */
  substitutions: Record<string, string>;
  /** Handlers by Lambda ARN; every Task state whose Resource is one of these runs it in-process. */
  lambdas: Record<string, LocalLambda>;
  input: unknown;
  /** Run every Wait state and every Retry pause in 0 ms. @default true */
  overrideWaits?: boolean;
  /** The execution's name (`$$.Execution.Name`). @default a random UUID */
  executionName?: string;
}

export interface ExecutionResult {
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  /** The Fail state's (or uncaught) error and cause, as Step Functions reports them. */
  error?: { Error: string; Cause: string };
  executionName: string;
  /** The execution's event log, nested Map iterations included. */
  events: EventLog[];
}

/**
 * Lambda hands Step Functions an error as `{ errorType, errorMessage }`: the error name is what
 * Retry and Catch match, and the Cause is that JSON. JSON round trips mimic the serialisation of
 * the payloads both ways.
 */
const asLambda =
  (handler: LocalLambda) =>
  async (input: unknown): Promise<unknown> => {
    try {
      const result = await handler(JSON.parse(JSON.stringify(input ?? null)));
      return result === undefined ? null : JSON.parse(JSON.stringify(result));
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      const wrapped = new Error(JSON.stringify({ errorType: err.name, errorMessage: err.message }));
      wrapped.name = err.name;
      throw wrapped;
    }
  };

/**
 * Runs an ASL file with aws-local-stepfunctions, Lambda task resources mapped to in-process
 * handlers. The engine keys its overrides by state name, so this walks the definition (nested
 * Map and Parallel states too) and maps each Task whose Resource is a known ARN. An unknown
 * Lambda ARN is an error rather than a silent call to AWS.
 */
export const runStateMachine = async (options: RunStateMachineOptions): Promise<ExecutionResult> => {
  const definition =
    options.definition === undefined
      ? loadDefinition(options.definitionFile, options.substitutions)
      : substituteDefinition(options.definition, options.substitutions, options.definitionFile);
  const taskResourceLocalHandlers: Record<string, LocalLambda> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  const overrideWaits = options.overrideWaits ?? true;
  for (const [name, state] of allStates(definition)) {
    if (state.Type === 'Task' && state.Resource) {
      const handler = options.lambdas[state.Resource];
      if (!handler) throw new Error(`State "${name}" calls ${state.Resource}, which has no local handler`);
      taskResourceLocalHandlers[name] = asLambda(handler);
    }
    if (overrideWaits && state.Type === 'Wait') waitTimeOverrides[name] = 0;
    if (overrideWaits && state.Retry) retryIntervalOverrides[name] = 0;
  }

  const executionName = options.executionName ?? randomUUID();
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false } });
  const execution = machine.run(options.input as never, {
    overrides: {
      taskResourceLocalHandlers: taskResourceLocalHandlers as never,
      waitTimeOverrides,
      retryIntervalOverrides,
    },
    context: {
      Execution: {
        Id: `arn:aws:states:us-east-1:000000000000:execution:local:${executionName}`,
        Name: executionName,
        Input: options.input as never,
        StartTime: new Date().toISOString(),
      },
    },
  });
  const events: EventLog[] = [];
  const collecting = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  try {
    const output = await execution.result;
    await collecting;
    return { status: 'SUCCEEDED', output, executionName, events };
  } catch (error) {
    await collecting;
    const cause = (error as { cause?: unknown }).cause ?? error;
    const failure = cause instanceof Error ? cause : new Error(String(cause));
    return {
      status: 'FAILED',
      error: { Error: failure.name, Cause: failure.message },
      executionName,
      events,
    };
  }
};
