import type { Clock } from '#shared/clock';
import { CognitoError, invalidLambdaResponse, unexpectedLambda, userLambdaValidation } from './errors';
import type { PoolRecord } from './types';

export type TriggerHandler = (event: any) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export type TriggerName =
  | 'PreSignUp'
  | 'UserMigration'
  | 'PreTokenGeneration'
  | 'PostAuthentication'
  | 'PreAuthentication'
  | 'PostConfirmation'
  | 'CustomMessage';

// Cognito retries a trigger that does not answer in time, up to three attempts in all.
const ATTEMPTS = 3;

/** Why a trigger call failed; each operation turns it into the error AWS gives for that trigger. */
export class TriggerFailure extends Error {
  constructor(
    readonly trigger: TriggerName,
    readonly kind: 'error' | 'timeout' | 'invalid' | 'missing',
    detail: string,
  ) {
    super(detail);
    this.name = 'TriggerFailure';
  }

  /** The error AWS answers when a trigger other than UserMigration fails. */
  toCognitoError(): CognitoError {
    if (this.kind === 'error')
      return userLambdaValidation(`${this.trigger} failed with error ${this.message}.`);
    if (this.kind === 'invalid') return invalidLambdaResponse(`Unrecognizable lambda output`);
    return unexpectedLambda(`${this.trigger} invocation failed due to ${this.message}.`);
  }
}

export interface TriggerCall {
  pool: PoolRecord;
  trigger: TriggerName;
  triggerSource: string;
  userName: string;
  clientId?: string;
  request: Record<string, unknown>;
  region: string;
}

/** Calls trigger handlers in-process with Cognito's event shape, deadline and retries. */
export class Triggers {
  readonly functions = new Map<string, TriggerHandler>();

  constructor(
    private readonly timeoutMs: number,
    private readonly clock: Clock | undefined,
  ) {}

  arnFor(pool: PoolRecord, trigger: TriggerName): string | undefined {
    const config = pool.settings.LambdaConfig;
    if (trigger === 'PreTokenGeneration') {
      const v = config.PreTokenGenerationConfig as { LambdaArn?: string } | undefined;
      return v?.LambdaArn ?? (config.PreTokenGeneration as string | undefined);
    }
    return config[trigger] as string | undefined;
  }

  has(pool: PoolRecord, trigger: TriggerName): boolean {
    return this.arnFor(pool, trigger) !== undefined;
  }

  /**
   * Invokes the pool's trigger, if it has one, and returns the `response` part of what the
   * handler returned (undefined when the pool has no such trigger). Throws TriggerFailure.
   */
  async invoke(call: TriggerCall): Promise<Record<string, unknown> | undefined> {
    const arn = this.arnFor(call.pool, call.trigger);
    if (!arn) return undefined;
    const handler = this.functions.get(arn);
    if (!handler) throw new TriggerFailure(call.trigger, 'missing', `no function registered for ${arn}`);
    const event = {
      version: '1',
      triggerSource: call.triggerSource,
      region: call.region,
      userPoolId: call.pool.id,
      userName: call.userName,
      callerContext: { awsSdkVersion: 'aws-sdk-js-3', clientId: call.clientId ?? 'CLIENT_ID_NOT_APPLICABLE' },
      request: call.request,
      response: {},
    };
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.withDeadline(handler, structuredClone(event), call.trigger);
      if (outcome === TIMEOUT) {
        if (attempt < ATTEMPTS) continue;
        throw new TriggerFailure(call.trigger, 'timeout', 'timeout');
      }
      if (outcome === null || typeof outcome !== 'object')
        throw new TriggerFailure(call.trigger, 'invalid', 'the function returned no event');
      const response = (outcome as { response?: unknown }).response;
      return response && typeof response === 'object' ? (response as Record<string, unknown>) : {};
    }
  }

  private async withDeadline(
    handler: TriggerHandler,
    event: unknown,
    trigger: TriggerName,
  ): Promise<unknown> {
    let cancel = () => {};
    const deadline = new Promise<typeof TIMEOUT>((resolve) => {
      if (this.clock) {
        void this.clock.sleep(this.timeoutMs).then(() => resolve(TIMEOUT));
      } else {
        const timer = setTimeout(() => resolve(TIMEOUT), this.timeoutMs);
        timer.unref();
        cancel = () => clearTimeout(timer);
      }
    });
    const run = Promise.resolve()
      .then(() => handler(event))
      .catch((error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        throw new TriggerFailure(trigger, 'error', message);
      });
    try {
      return await Promise.race([run, deadline]);
    } finally {
      cancel();
      run.catch(() => {}); // a late failure after the deadline is not the caller's concern
    }
  }
}

const TIMEOUT = Symbol('timeout');
