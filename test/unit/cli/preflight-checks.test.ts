import type { UserPoolType } from '@aws-sdk/client-cognito-identity-provider';
import { runPreflightChecks, type PreflightInput } from '../../../cli/preflight-checks';

const pool = (overrides: Partial<UserPoolType> = {}): UserPoolType => ({
  SchemaAttributes: [
    { Name: 'sub', Required: true },
    { Name: 'email', Required: false },
    { Name: 'custom:tenant', Required: false },
    { Name: 'custom:legacy_sub', Required: false },
  ],
  UsernameConfiguration: { CaseSensitive: false },
  AliasAttributes: ['email'],
  MfaConfiguration: 'OFF',
  LambdaConfig: { UserMigration: 'arn:m', PreSignUp: 'arn:p', PostAuthentication: 'arn:g' },
  AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_email', Priority: 1 }] },
  ...overrides,
});

const input = (overrides: Partial<PreflightInput> = {}): PreflightInput => ({
  source: pool({ LambdaConfig: {} }),
  target: pool(),
  sourceClient: { ClientId: 'src', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH'] },
  targetClient: {
    ClientId: 'tgt',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  },
  config: {
    attributeMap: { legacySubAttribute: 'custom:legacy_sub', renames: {}, drops: [] },
    mfaPolicy: 'reset',
  },
  ...overrides,
});

const codes = (i: PreflightInput, level = 'BLOCKER') =>
  runPreflightChecks(i)
    .filter((f) => f.level === level)
    .map((f) => f.code);

describe('runPreflightChecks', () => {
  it('finds nothing to block when the pools match and everything is wired', () => {
    expect(codes(input())).toEqual([]);
  });

  it('blocks a source custom attribute the target lacks, and says how to fix it', () => {
    const findings = runPreflightChecks(
      input({ target: pool({ SchemaAttributes: [{ Name: 'custom:legacy_sub' }] }) }),
    );
    expect(findings[0]).toMatchObject({ level: 'BLOCKER', code: 'TARGET_LACKS_ATTRIBUTE' });
    expect(findings[0]?.fix).toMatch(/AddCustomAttributes|attributeMap/);
  });

  it('accepts a missing custom attribute that attributeMap drops', () => {
    const config = {
      attributeMap: { legacySubAttribute: 'custom:legacy_sub', renames: {}, drops: ['custom:tenant'] },
      mfaPolicy: 'reset' as const,
    };
    expect(
      codes(input({ config, target: pool({ SchemaAttributes: [{ Name: 'custom:legacy_sub' }] }) })),
    ).toEqual([]);
  });

  it('blocks a required attribute the source does not require', () => {
    const target = pool({
      SchemaAttributes: [...(pool().SchemaAttributes ?? []), { Name: 'name', Required: true }],
    });
    expect(codes(input({ target }))).toContain('REQUIRED_ATTRIBUTE_DIFFERS');
  });

  it('does not block on sub when the source describe output omits it (every pool has sub)', () => {
    const source = pool({ LambdaConfig: {}, SchemaAttributes: [{ Name: 'custom:tenant', Required: false }] });
    expect(codes(input({ source }))).toEqual([]);
  });

  it('blocks different username attributes and warns on different aliases', () => {
    const target = pool({ UsernameAttributes: ['email'], AliasAttributes: [] });
    expect(codes(input({ target }))).toContain('USERNAME_ATTRIBUTES_DIFFER');
    expect(codes(input({ target }), 'WARNING')).toContain('ALIASES_DIFFER');
  });

  it('blocks source names that collide in a case-insensitive target and lists them', () => {
    const source = pool({ UsernameConfiguration: { CaseSensitive: true }, LambdaConfig: {} });
    const findings = runPreflightChecks(
      input({ source, collisions: { 'ann@x.com': ['Ann@x.com', 'ann@x.com'] } }),
    );
    expect(findings[0]).toMatchObject({ level: 'BLOCKER', code: 'CASE_FOLDING' });
    expect(findings[0]?.message).toContain('Ann@x.com, ann@x.com');
  });

  it('blocks a target app client without ALLOW_USER_PASSWORD_AUTH (SRP hides the password from the trigger)', () => {
    expect(
      codes(input({ targetClient: { ClientId: 't', ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH'] } })),
    ).toEqual(['TARGET_CLIENT_NO_PASSWORD_AUTH']);
  });

  it('blocks any target app client that can write the legacy-sub attribute, naming the client', () => {
    const findings = runPreflightChecks(
      input({
        targetClients: [
          { ClientId: 'app', ClientName: 'app' },
          { ClientId: 'admin-ui', ClientName: 'admin-ui', WriteAttributes: ['email', 'custom:legacy_sub'] },
        ],
      }),
    );

    expect(findings.filter((f) => f.code.startsWith('LEGACY_SUB'))).toEqual([
      expect.objectContaining({
        level: 'BLOCKER',
        code: 'LEGACY_SUB_WRITABLE',
        message: expect.stringContaining('admin-ui'),
      }),
    ]);
  });

  it('accepts clients without WriteAttributes: they write standard attributes only', () => {
    expect(codes(input({ targetClients: [{ ClientId: 'app' }] }))).toEqual([]);
    expect(codes(input({ targetClients: [{ ClientId: 'app' }] }), 'WARNING')).not.toContain(
      'LEGACY_SUB_WRITABLE',
    );
  });

  it('blocks a source migration client without ALLOW_ADMIN_USER_PASSWORD_AUTH', () => {
    expect(codes(input({ sourceClient: { ClientId: 's', ExplicitAuthFlows: [] } }))).toEqual([
      'SOURCE_CLIENT_NO_ADMIN_AUTH',
    ]);
  });

  it('blocks a target without the UserMigration trigger and warns on the others', () => {
    const target = pool({ LambdaConfig: {} });
    expect(codes(input({ target }))).toEqual(['TRIGGER_NOT_ATTACHED']);
    expect(codes(input({ target }), 'WARNING').filter((c) => c === 'TRIGGER_NOT_ATTACHED')).toHaveLength(2);
  });

  it('blocks a target whose only account recovery is admin_only (the reset campaign needs codes)', () => {
    const target = pool({
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'admin_only', Priority: 1 }] },
    });
    expect(codes(input({ target }))).toEqual(['NO_ACCOUNT_RECOVERY']);
  });

  it('warns that TOTP users must re-enrol and that a target without MFA drops SMS MFA', () => {
    const source = pool({ MfaConfiguration: 'OPTIONAL', LambdaConfig: {} });
    expect(codes(input({ source }), 'WARNING')).toEqual(
      expect.arrayContaining(['MFA_FACTOR_CANNOT_MOVE', 'TARGET_MFA_OFF']),
    );
  });

  it('lists blockers before warnings', () => {
    const findings = runPreflightChecks(input({ target: pool({ LambdaConfig: {}, SchemaAttributes: [] }) }));
    const levels = findings.map((f) => f.level);
    expect(levels.indexOf('WARNING')).toBeGreaterThan(levels.lastIndexOf('BLOCKER'));
  });

  it('blocks a campaign larger than the default email account sends in a day, with the SES fix', () => {
    const findings = runPreflightChecks(input({ codeRecipients: 120_000 }));
    const email = findings.find((f) => f.code === 'EMAIL_DEFAULT_ACCOUNT');

    expect(email).toMatchObject({
      level: 'BLOCKER',
      message: expect.stringContaining('120000 code(s) (about 2400 day(s)'),
    });
    expect(email?.fix).toMatch(/deployment\.targetPool\.email/);
    expect(email?.fix).toMatch(/EmailSendingAccount: DEVELOPER/);
  });

  it('only warns about the default email account when the campaign fits in its daily limit', () => {
    expect(codes(input({ codeRecipients: 50 }), 'WARNING')).toContain('EMAIL_DEFAULT_ACCOUNT');
    expect(codes(input({ codeRecipients: 50 }))).not.toContain('EMAIL_DEFAULT_ACCOUNT');
  });

  it('accepts SES email and reminds of its sending quota', () => {
    const ses = input({
      target: pool({
        EmailConfiguration: {
          EmailSendingAccount: 'DEVELOPER',
          SourceArn: 'arn:aws:ses:eu-west-1:1:identity/x',
        },
      }),
      codeRecipients: 120_000,
    });

    expect(codes(ses)).toEqual([]);
    expect(codes(ses, 'INFO')).toContain('EMAIL_SES_QUOTA');
  });

  it('blocks phone recovery without an SMS role when codes will be sent', () => {
    const byPhone = pool({
      AccountRecoverySetting: { RecoveryMechanisms: [{ Name: 'verified_phone_number', Priority: 1 }] },
      EmailConfiguration: { EmailSendingAccount: 'DEVELOPER' },
    });

    expect(codes(input({ target: byPhone, codeRecipients: 10 }))).toEqual(['NO_SMS_ROLE']);
    expect(
      codes(
        input({
          target: { ...byPhone, SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::1:role/sms' } },
          codeRecipients: 10,
        }),
        'WARNING',
      ),
    ).toContain('SMS_SPEND_LIMIT');
  });
});
