import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { AmbiguousUserError, MigrationError, SourceThrottledError, isAwsError } from '#shared/errors';

describe('MigrationError', () => {
  it('names each subclass after itself so state machines can route on it', () => {
    const error = new SourceThrottledError('slow down');

    expect(error).toBeInstanceOf(MigrationError);
    expect(error.name).toBe('SourceThrottledError');
  });

  it('keeps the foreign error as its cause', () => {
    const cause = new Error('boom');

    expect(new AmbiguousUserError('two users', { cause }).cause).toBe(cause);
  });
});

describe('isAwsError', () => {
  it('matches an SDK exception by name, also when wrapped', () => {
    const sdkError = new ConditionalCheckFailedException({ message: 'no', $metadata: {} });
    const wrapped = new MigrationError('wrapped', { cause: sdkError });

    expect(isAwsError(sdkError, 'ConditionalCheckFailedException')).toBe(true);
    expect(isAwsError(wrapped, 'ConditionalCheckFailedException')).toBe(true);
    expect(isAwsError(wrapped, 'TooManyRequestsException')).toBe(false);
  });
});
