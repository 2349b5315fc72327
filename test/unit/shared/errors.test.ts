import { AmbiguousUserError, MigrationError, SourceThrottledError } from '#shared/errors';

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
