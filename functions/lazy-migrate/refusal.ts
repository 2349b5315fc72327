import { MigrationError } from '#shared/errors';
import type { RefusalReason } from '#shared/refusal-reasons';

export { OPERATIONAL_REASONS, type RefusalReason } from '#shared/refusal-reasons';

/**
 * The only message a refused sign-in or password reset ever shows. One text for every reason,
 * so a wrong password, an unknown user and a disabled user cannot be told apart, and an outage
 * does not claim the password was wrong.
 */
export const REFUSAL_MESSAGE = 'Unable to sign in with these details. Check them, or try again later.';

/**
 * A refused migration. Its message is always `REFUSAL_MESSAGE` (Cognito shows it to the client);
 * the reason and detail are for the log only.
 */
export class MigrationRefusedError extends MigrationError {
  override readonly name = 'MigrationRefusedError';
  constructor(
    readonly reason: RefusalReason,
    /** Operator-facing detail (an attribute name, an AWS exception name); never a secret. */
    readonly detail?: string,
  ) {
    super(REFUSAL_MESSAGE);
  }
}

export const refuse = (reason: RefusalReason, detail?: string): never => {
  throw new MigrationRefusedError(reason, detail);
};
