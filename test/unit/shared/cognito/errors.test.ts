import {
  NotAuthorizedException,
  TooManyRequestsException,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { callCognito, classifyCognitoError, isAwsError, sourceRefusalReason } from '#shared/cognito/errors';
import {
  MigrationError,
  SourceThrottledError,
  SourceUnavailableError,
  TargetUnavailableError,
} from '#shared/errors';

const meta = { $metadata: {} };

describe('isAwsError', () => {
  it('matches an SDK exception by name, also when wrapped', () => {
    const sdkError = new UserNotFoundException({ message: 'no', ...meta });
    const wrapped = new MigrationError('wrapped', { cause: sdkError });

    expect(isAwsError(sdkError, 'UserNotFoundException')).toBe(true);
    expect(isAwsError(wrapped, 'UserNotFoundException')).toBe(true);
    expect(isAwsError(wrapped, 'TooManyRequestsException')).toBe(false);
  });
});

describe('classifyCognitoError', () => {
  it('makes throttling on the source a SourceThrottledError that keeps the SDK error as cause', () => {
    const sdkError = new TooManyRequestsException({ message: 'Rate exceeded', ...meta });

    const classified = classifyCognitoError(sdkError, 'source', 'ListUsers');

    expect(classified).toBeInstanceOf(SourceThrottledError);
    expect(classified.message).toBe('ListUsers on the source pool failed: Rate exceeded');
    expect(classified.cause).toBe(sdkError);
  });

  it('makes a network failure on the target a TargetUnavailableError', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

    expect(classifyCognitoError(refused, 'target', 'CreateGroup')).toBeInstanceOf(TargetUnavailableError);
  });

  it('passes any other error through unchanged', () => {
    const bug = new Error('bad parameter');

    expect(classifyCognitoError(bug, 'source', 'ListUsers')).toBe(bug);
  });

  it('classifies the failure of a call it runs', async () => {
    const denied = new NotAuthorizedException({ message: 'denied', ...meta });

    await expect(callCognito('source', 'ListGroups', () => Promise.reject(denied))).rejects.toBeInstanceOf(
      SourceUnavailableError,
    );
  });
});

describe('sourceRefusalReason', () => {
  it.each([
    [
      new NotAuthorizedException({ message: 'Incorrect username or password.', ...meta }),
      'INVALID_CREDENTIALS',
    ],
    [new NotAuthorizedException({ message: 'User is disabled.', ...meta }), 'USER_DISABLED'],
    [new UserNotFoundException({ message: 'User does not exist.', ...meta }), 'USER_NOT_FOUND'],
    [new TooManyRequestsException({ message: 'Rate exceeded', ...meta }), 'SOURCE_THROTTLED'],
    [Object.assign(new Error('aborted'), { name: 'AbortError' }), 'DEADLINE_EXCEEDED'],
    [new Error('socket hang up'), 'SOURCE_UNAVAILABLE'],
  ])('reads %p as %s', (error, reason) => {
    expect(sourceRefusalReason(error)).toBe(reason);
  });
});
