/**
 * The one place that reads errors from AWS SDK calls to Cognito (and STS, for the source role):
 * `isAwsError` narrows by exception name, `classifyCognitoError` / `callCognito` turn a failure
 * into the named errors the state machine routes on, and `sourceRefusalReason` into the refusal
 * reason of a sign-in.
 *
 * Errors are matched by name, typed against the SDK's exception classes, rather than with
 * `instanceof`: a name also matches through `cause` (errors wrapped on purpose), across separately
 * bundled copies of the SDK, and for the plain errors the SDK's transport raises (`TimeoutError`).
 */
import type * as Sdk from '@aws-sdk/client-cognito-identity-provider';
import {
  SourceThrottledError,
  SourceUnavailableError,
  TargetThrottledError,
  TargetUnavailableError,
} from '../errors';
import type { RefusalReason } from '../refusal-reasons';

/** The name of every exception the Cognito SDK models (`UserNotFoundException`, ...). */
export type CognitoExceptionName = {
  [K in keyof typeof Sdk]: (typeof Sdk)[K] extends abstract new (...args: never[]) => infer Instance
    ? Instance extends { readonly name: infer Name extends string; readonly $fault: unknown }
      ? string extends Name
        ? never // the service's base exception class, whose name is any string
        : Name
      : never
    : never;
}[keyof typeof Sdk];

/**
 * Names that reach callers from outside the Cognito model: the SDK's transport (timeouts, aborts),
 * STS and the AWS auth layer (a bad or expired role session, a denied AssumeRole).
 */
export type TransportErrorName =
  | 'TimeoutError'
  | 'RequestTimeout'
  | 'AbortError'
  | 'AccessDeniedException'
  | 'UnrecognizedClientException'
  | 'InvalidClientTokenId'
  | 'ExpiredTokenException';

export type AwsErrorName = CognitoExceptionName | TransportErrorName;

/** True when an AWS SDK error (or one it is the `cause` of) has one of the given exception names. */
export const isAwsError = (error: unknown, ...names: AwsErrorName[]): boolean =>
  error instanceof Error &&
  ((names as string[]).includes(error.name) ||
    (error.cause !== undefined && isAwsError(error.cause, ...names)));

const UNAVAILABLE: AwsErrorName[] = [
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

/**
 * Turns a failure of a sign-in or user lookup on the source pool into a refusal reason.
 * NotAuthorizedException covers several cases AWS tells apart only by message: a disabled user
 * ("User is disabled."), too many attempts ("Password attempts exceeded"), an expired temporary
 * password, a wrong SECRET_HASH ("Unable to verify secret hash for client ...") — the last is our
 * configuration, not the user.
 */
export const sourceRefusalReason = (error: unknown): RefusalReason => {
  const message = error instanceof Error ? error.message : '';
  if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
    return 'DEADLINE_EXCEEDED';
  }
  if (isAwsError(error, 'RequestTimeout', 'TimeoutError')) return 'DEADLINE_EXCEEDED';
  if (isAwsError(error, 'NotAuthorizedException')) {
    if (/disabled/i.test(message)) return 'USER_DISABLED';
    if (/secret hash/i.test(message)) return 'SOURCE_CLIENT_MISCONFIGURED';
    if (/attempts exceeded/i.test(message)) return 'PASSWORD_ATTEMPTS_EXCEEDED';
    if (/temporary password has expired/i.test(message)) return 'TEMPORARY_PASSWORD_EXPIRED';
    if (/not authorized to perform|access token|security token/i.test(message)) return 'SOURCE_ACCESS_DENIED';
    return 'INVALID_CREDENTIALS';
  }
  if (isAwsError(error, 'UserNotFoundException')) return 'USER_NOT_FOUND';
  if (isAwsError(error, 'PasswordResetRequiredException')) return 'PASSWORD_RESET_REQUIRED';
  if (isAwsError(error, 'UserNotConfirmedException')) return 'USER_NOT_CONFIRMED';
  if (isAwsError(error, 'TooManyRequestsException', 'LimitExceededException')) return 'SOURCE_THROTTLED';
  if (isAwsError(error, 'AccessDeniedException', 'UnrecognizedClientException', 'ExpiredTokenException')) {
    return 'SOURCE_ACCESS_DENIED';
  }
  if (isAwsError(error, 'ResourceNotFoundException')) return 'SOURCE_NOT_FOUND';
  if (isAwsError(error, 'InvalidParameterException') && /flow/i.test(message))
    return 'SOURCE_AUTH_FLOW_DISABLED';
  if (isAwsError(error, 'InvalidUserPoolConfigurationException', 'InvalidParameterException')) {
    return 'SOURCE_CLIENT_MISCONFIGURED';
  }
  // Network failures, InternalErrorException, and a failed role assumption (SourceUnavailableError).
  return 'SOURCE_UNAVAILABLE';
};
