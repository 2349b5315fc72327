import {
  SourceThrottledError,
  SourceUnavailableError,
  TargetThrottledError,
  TargetUnavailableError,
  isAwsError,
} from '#shared/errors';

const UNAVAILABLE = [
  'ResourceNotFoundException',
  'NotAuthorizedException',
  'AccessDeniedException',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'InternalErrorException',
  'TimeoutError',
  'RequestTimeout',
];
const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND'];

const isNetworkError = (error: unknown): boolean =>
  error instanceof Error && NETWORK_CODES.includes((error as { code?: string }).code ?? '');

/**
 * Turns an error from a Cognito call into the named error the state machine routes on:
 * TooManyRequestsException → *ThrottledError (retried with backoff), a missing pool, refused
 * access or a network failure → *UnavailableError. Anything else (a bad parameter) is a bug and
 * passes through unchanged.
 */
export const classifyCognitoError = (error: unknown, side: 'source' | 'target', operation: string): Error => {
  const message = `${operation} on the ${side} pool failed: ${(error as Error).message}`;
  if (isAwsError(error, 'TooManyRequestsException')) {
    return side === 'source'
      ? new SourceThrottledError(message, { cause: error })
      : new TargetThrottledError(message, { cause: error });
  }
  if (isAwsError(error, ...UNAVAILABLE) || isNetworkError(error)) {
    return side === 'source'
      ? new SourceUnavailableError(message, { cause: error })
      : new TargetUnavailableError(message, { cause: error });
  }
  return error as Error;
};

/** Runs one Cognito call, classifying its failure (see `classifyCognitoError`). */
export const callCognito = async <T>(
  side: 'source' | 'target',
  operation: string,
  call: () => Promise<T>,
): Promise<T> => {
  try {
    return await call();
  } catch (error) {
    throw classifyCognitoError(error, side, operation);
  }
};
