import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { TableUnavailableError } from '../errors';

/**
 * The one mapping of migration-table failures (applied where the callers route on it: user items, leases
 * and the Finish sweep; run, group, login-key and counter writes still surface the SDK's error): a lost condition is an answer the caller handles
 * (rethrown as is), anything else means the table could not be reached or refused the request,
 * and becomes `TableUnavailableError` so handlers and the state machine route on one name.
 */
export const tableCall = async <T>(operation: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) throw error;
    throw new TableUnavailableError(`Migration table ${operation} failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
};

/**
 * Runs a conditional write; false when its condition failed (someone else got there first).
 * Other failures pass through as they are: wrap `fn` in `tableCall` to map them.
 */
export const conditionalWrite = async (fn: () => Promise<unknown>): Promise<boolean> => {
  try {
    await fn();
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

export { ConditionalCheckFailedException };
