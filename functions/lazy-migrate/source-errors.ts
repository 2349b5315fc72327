import { isAwsError } from '#shared/errors';
import type { RefusalReason } from './refusal';

/**
 * Turns a source-pool failure into a refusal reason. NotAuthorizedException covers several
 * cases AWS tells apart only by message: a disabled user ("User is disabled."), too many
 * attempts ("Password attempts exceeded"), an expired temporary password, a wrong SECRET_HASH
 * ("Unable to verify secret hash for client ...") — the last is our configuration, not the user.
 */
export const classifySourceError = (error: unknown): RefusalReason => {
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
