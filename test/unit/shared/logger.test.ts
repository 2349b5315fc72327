import { createLogger, isSecretKey } from '#shared/logger';

const PASSWORD = 'Sup3r-Secret-Pa55!';

const captureStdout = () => {
  const lines: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(chunk.toString());
    return true;
  });
  return { lines, restore: () => spy.mockRestore() };
};

describe('createLogger', () => {
  it.each([
    ['top level', { password: PASSWORD }],
    ['nested deep', { request: { body: { inner: { Password: PASSWORD } } } }],
    ['inside an array', { attempts: [{ user: 'a' }, { PASSWORD }] }],
    ['as auth parameters', { AuthParameters: { USERNAME: 'john', PASSWORD } }],
    ['as a SECRET_HASH', { params: { SECRET_HASH: PASSWORD } }],
    ['as a refresh token', { result: { RefreshToken: PASSWORD, AccessToken: PASSWORD, IdToken: PASSWORD } }],
    ['as a session', { challenge: { Session: PASSWORD } }],
    [
      'as the whole trigger request',
      { event: { request: { password: PASSWORD, validationData: { x: PASSWORD } } } },
    ],
  ])('keeps a password placed %s out of the output', (_where, data) => {
    const out = captureStdout();
    try {
      createLogger('test').info('attempt', data);
    } finally {
      out.restore();
    }
    expect(out.lines.join('')).toContain('"message":"attempt"');
    expect(out.lines.join('')).not.toContain(PASSWORD);
  });

  it('keeps ordinary data', () => {
    const out = captureStdout();
    try {
      createLogger('test').info('user migrated', { reason: 'password-verified', count: 3 });
    } finally {
      out.restore();
    }
    const line = JSON.parse(out.lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      message: 'user migrated',
      reason: 'password-verified',
      count: 3,
      service: 'test',
    });
  });
});

describe('isSecretKey', () => {
  it.each([
    'password',
    'PASSWORD',
    'newPassword',
    'RefreshToken',
    'accessToken',
    'Session',
    'SECRET_HASH',
    'ClientSecret',
  ])('treats %s as secret', (key) => expect(isSecretKey(key)).toBe(true));

  it.each(['username', 'reason', 'status', 'tokenCount'])('lets %s through', (key) =>
    expect(isSecretKey(key)).toBe(false),
  );
});
