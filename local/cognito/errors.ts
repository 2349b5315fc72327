/**
 * An error the emulator answers with: `name` is the AWS exception name the SDK maps to its
 * exception class, `message` is AWS's wording where it is known.
 */
export class CognitoError extends Error {
  constructor(
    name: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = name;
  }
}

const make =
  (name: string, statusCode = 400) =>
  (message: string) =>
    new CognitoError(name, message, statusCode);

export const invalidParameter = make('InvalidParameterException');
export const notAuthorized = make('NotAuthorizedException');
export const resourceNotFound = make('ResourceNotFoundException');
export const userNotFound = make('UserNotFoundException');
export const usernameExists = make('UsernameExistsException');
export const aliasExists = make('AliasExistsException');
export const invalidPassword = make('InvalidPasswordException');
export const codeMismatch = make('CodeMismatchException');
export const expiredCode = make('ExpiredCodeException');
export const groupExists = make('GroupExistsException');
export const passwordResetRequired = make('PasswordResetRequiredException');
export const userNotConfirmed = make('UserNotConfirmedException');
export const unsupportedUserState = make('UnsupportedUserStateException');
export const userLambdaValidation = make('UserLambdaValidationException');
export const unexpectedLambda = make('UnexpectedLambdaException');
export const invalidLambdaResponse = make('InvalidLambdaResponseException');
export const tooManyRequests = make('TooManyRequestsException');
export const unsupportedOperation = make('UnsupportedOperationException');
export const enableSoftwareTokenMfa = make('EnableSoftwareTokenMFAException');
export const internalError = make('InternalErrorException', 500);

/** The answer AWS gives for a wrong password, and for an unknown user when existence errors are hidden. */
export const incorrectCredentials = (): CognitoError => notAuthorized('Incorrect username or password.');

export const poolNotFound = (poolId: string): CognitoError =>
  resourceNotFound(`User pool ${poolId} does not exist.`);

export const noSuchUser = (): CognitoError => userNotFound('User does not exist.');

/** Any thrown value as a CognitoError; foreign errors become InternalErrorException. */
export const toCognitoError = (error: unknown): CognitoError =>
  error instanceof CognitoError
    ? error
    : internalError(error instanceof Error ? error.message : 'Internal error');
