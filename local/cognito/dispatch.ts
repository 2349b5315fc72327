import type { Clock } from '#shared/clock';
import { CognitoError } from './errors';
import type { Chaos } from './chaos';
import type { QuotaMeter } from './quotas';
import type { Input, OpContext, Operation } from './context';
import { poolOperations } from './ops/pools';
import { clientOperations } from './ops/clients';
import { userOperations } from './ops/users';
import { listOperations } from './ops/list-users';
import { groupOperations } from './ops/groups';
import { authOperations } from './ops/auth';
import { accountOperations } from './ops/account';
import { recoveryOperations } from './ops/recovery';
import { domainOperations } from './managed-login/domains';
import { mfaConfigOperations } from './ops/mfa-config';

/** Every operation the emulator implements, by its AWS name. */
export const OPERATIONS: Record<string, Operation> = {
  ...poolOperations,
  ...clientOperations,
  ...userOperations,
  ...listOperations,
  ...groupOperations,
  ...authOperations,
  ...accountOperations,
  ...recoveryOperations,
  ...domainOperations,
  ...mfaConfigOperations,
};

/** Runs one call the way AWS would meet it: quota, latency, injected fault, then the operation. */
export class Dispatcher {
  constructor(
    private readonly ctx: Omit<OpContext, 'region'>,
    private readonly quotas: QuotaMeter,
    private readonly chaos: Chaos,
    private readonly clock: Clock,
  ) {}

  async call(operation: string, input: Input | undefined, region = 'us-east-1'): Promise<object> {
    const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (!handler)
      throw new CognitoError(
        'UnknownOperationException',
        `Operation ${operation} is not implemented by the cognito-migrate Cognito emulator (local/cognito).`,
      );
    this.quotas.take(operation);
    const delay = this.chaos.delayFor(operation);
    if (delay > 0) await this.clock.sleep(delay);
    const fault = this.chaos.faultFor(operation);
    if (fault) throw fault;
    const output = await handler(input ?? {}, { ...this.ctx, region });
    // A JSON round trip gives in-process callers exactly what an HTTP caller would get.
    return JSON.parse(JSON.stringify(output)) as object;
  }
}
