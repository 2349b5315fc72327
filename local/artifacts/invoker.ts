import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

/** An invocation's outcome as Lambda reports it: the payload, or `{ errorType, errorMessage }`. */
export type InvokeResult =
  | { ok: true; payload: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string; trace?: string[] } };

export interface FunctionSpec {
  functionName: string;
  functionArn: string;
  codeDir: string;
  /** `index.handler` */
  handler: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The function's whole environment (the template's variables and Lambda's reserved ones). */
  environment: Record<string, string>;
}

export interface InvokerOptions {
  /** Receives what the function writes to stdout/stderr (its CloudWatch log). @default dropped */
  onLog?: (functionName: string, line: string) => void;
}

interface Sandbox {
  worker: Worker;
  lines: string;
  /** Settles when the init phase (loading the bundle, module-scope code) is over. */
  ready: Promise<void>;
}

/**
 * Limit on the init phase of an execution environment. Lambda's is 10 s; locally loading a bundle
 * competes with everything else on the machine, and a slow machine is not a defect of the bundle.
 */
const INIT_TIMEOUT_MS = 60_000;

const WORKER = join(__dirname, 'lambda-worker.cjs');

/**
 * Runs one function from its bundled asset as Lambda does: each execution environment is a
 * worker thread with the function's own environment and a heap limit of its memory size, serving
 * one invocation at a time (concurrent invocations get more environments, reused when idle). The
 * context's `getRemainingTimeInMillis` counts down from the function's timeout; an invocation
 * that outlives it has its environment destroyed and fails with `Sandbox.Timedout`, "Task timed
 * out after N seconds".
 */
export class FunctionInvoker {
  private readonly idle: Sandbox[] = [];
  private readonly busy = new Set<Sandbox>();
  private closed = false;

  constructor(
    readonly spec: FunctionSpec,
    private readonly options: InvokerOptions = {},
  ) {}

  private start(): Sandbox {
    const worker = new Worker(WORKER, {
      workerData: {
        codeDir: this.spec.codeDir,
        handler: this.spec.handler,
        functionName: this.spec.functionName,
        functionArn: this.spec.functionArn,
        memorySize: this.spec.memorySize,
      },
      env: this.spec.environment,
      resourceLimits: { maxOldGenerationSizeMb: this.spec.memorySize },
      stdout: true,
      stderr: true,
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('init timed out')), INIT_TIMEOUT_MS);
      const settle = (error?: Error) => {
        clearTimeout(timer);
        worker.off('message', onReady);
        if (error) reject(error);
        else resolve();
      };
      const onReady = (message: { ready?: boolean }) => {
        if (message.ready) settle();
      };
      worker.on('message', onReady);
      worker.once('error', (error) => settle(error));
      worker.once('exit', () => settle(new Error('exited during init')));
    });
    ready.catch(() => undefined);
    const sandbox: Sandbox = { worker, lines: '', ready };
    const log = (chunk: Buffer) => {
      if (!this.options.onLog) return;
      sandbox.lines += chunk.toString('utf8');
      const lines = sandbox.lines.split('\n');
      sandbox.lines = lines.pop() ?? '';
      for (const line of lines) this.options.onLog(this.spec.functionName, line);
    };
    worker.stdout.on('data', log);
    worker.stderr.on('data', log);
    return sandbox;
  }

  /** One synchronous (RequestResponse) invocation. */
  async invoke(event: unknown): Promise<InvokeResult> {
    if (this.closed) throw new Error(`${this.spec.functionName} is closed`);
    const sandbox = this.idle.pop() ?? this.start();
    this.busy.add(sandbox);
    const requestId = randomUUID();
    try {
      await sandbox.ready;
    } catch (error) {
      this.busy.delete(sandbox);
      void sandbox.worker.terminate();
      return {
        ok: false,
        error: {
          errorType: 'Runtime.InitError',
          errorMessage: `RequestId: ${requestId} ${(error as Error).message}`,
        },
      };
    }
    const timeoutMs = this.spec.timeoutSeconds * 1000;
    const deadline = Date.now() + timeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const outcome = await new Promise<InvokeResult | 'timeout' | 'crash'>((resolve) => {
      const onMessage = (message: { requestId: string; result?: string | null; error?: never }) => {
        if (message.requestId !== requestId) return;
        cleanup();
        resolve(
          message.error
            ? { ok: false, error: message.error }
            : { ok: true, payload: message.result == null ? null : JSON.parse(message.result) },
        );
      };
      const onExit = () => {
        cleanup();
        resolve('crash');
      };
      const cleanup = () => {
        clearTimeout(timer);
        sandbox.worker.off('message', onMessage);
        sandbox.worker.off('error', onExit);
        sandbox.worker.off('exit', onExit);
      };
      timer = setTimeout(() => {
        cleanup();
        resolve('timeout');
      }, timeoutMs);
      sandbox.worker.on('message', onMessage);
      sandbox.worker.on('error', onExit);
      sandbox.worker.on('exit', onExit);
      // A JSON round trip, as the payload crosses Lambda's API.
      sandbox.worker.postMessage({ requestId, event: JSON.parse(JSON.stringify(event ?? null)), deadline });
    });
    this.busy.delete(sandbox);
    if (outcome === 'timeout' || outcome === 'crash') {
      // Lambda discards an environment that timed out or crashed; the next invocation starts cold.
      void sandbox.worker.terminate();
      if (outcome === 'crash') {
        return {
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited`,
          },
        };
      }
      return {
        ok: false,
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: `RequestId: ${requestId} Error: Task timed out after ${this.spec.timeoutSeconds.toFixed(2)} seconds`,
        },
      };
    }
    if (this.closed) void sandbox.worker.terminate();
    else this.idle.push(sandbox);
    return outcome;
  }

  /** Starts one execution environment ahead of the first invocation (its init phase). */
  warm(): void {
    if (!this.closed && this.idle.length === 0) this.idle.push(this.start());
  }

  /** Ends every execution environment (an invocation still running is cut off). */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy];
    this.idle.length = 0;
    this.busy.clear();
    await Promise.all(all.map((sandbox) => sandbox.worker.terminate()));
  }
}

/** The error a handler-shaped caller (the emulator's triggers, the state-machine runner) throws. */
export class LambdaFunctionError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
    this.name = errorType;
  }
}

/** A handler-shaped view of an invoker: resolves with the payload, rejects with `name` = errorType. */
export const asHandler =
  (invoker: FunctionInvoker) =>
  async (event: unknown): Promise<unknown> => {
    const result = await invoker.invoke(event);
    if (result.ok) return result.payload;
    throw new LambdaFunctionError(result.error.errorType, result.error.errorMessage);
  };
