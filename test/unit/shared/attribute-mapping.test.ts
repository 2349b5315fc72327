import {
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
  TooManyRequestsException,
  type SchemaAttributeType,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import {
  cacheTargetSchema,
  describeTargetSchema,
  mapSourceAttributes,
  type AttributeMap,
  type TargetSchema,
} from '#shared/attribute-mapping';
import { ManualClock } from '#shared/clock';
import { TargetSchemaError, TargetThrottledError, TargetUnavailableError } from '#shared/errors';

const POOL_ID = 'us-east-1_Target1';

const attr = (name: string, required = false) => ({
  name,
  required,
  mutable: true,
  developerOnly: false,
});

const aSchema = (overrides: Partial<TargetSchema> = {}): TargetSchema => ({
  userPoolId: POOL_ID,
  attributes: Object.fromEntries(
    [
      { ...attr('sub', true), mutable: false },
      attr('email'),
      attr('email_verified'),
      attr('phone_number'),
      attr('phone_number_verified'),
      attr('name'),
      attr('identities'),
      attr('custom:legacy_sub'),
      attr('custom:tenant'),
    ].map((a) => [a.name, a]),
  ),
  usernameAttributes: [],
  aliasAttributes: [],
  caseSensitive: false,
  mfaConfiguration: 'OFF',
  smsMfaAvailable: false,
  ...overrides,
});

const MAP: AttributeMap = { legacySubAttribute: 'custom:legacy_sub', renames: {}, drops: [] };

describe('mapSourceAttributes', () => {
  it('never returns sub and puts the source sub into the legacy attribute (Cognito rejects sub in a UserMigration response)', () => {
    const { attributes, dropped } = mapSourceAttributes(
      { sub: 'old-sub', email: 'a@example.com' },
      aSchema(),
      MAP,
    );

    expect(attributes).toEqual({ 'custom:legacy_sub': 'old-sub', email: 'a@example.com' });
    expect(dropped).toEqual([]);
  });

  it('drops and counts sub when the target schema has no legacy attribute', () => {
    const schema = aSchema();
    delete schema.attributes['custom:legacy_sub'];

    const { attributes, dropped } = mapSourceAttributes({ sub: 'old-sub' }, schema, MAP);

    expect(attributes).toEqual({});
    expect(dropped).toEqual(['sub']);
  });

  it('keeps sub out entirely when no legacy attribute is configured', () => {
    const { attributes } = mapSourceAttributes({ sub: 'old-sub' }, aSchema(), {
      ...MAP,
      legacySubAttribute: null,
    });

    expect(attributes).toEqual({});
  });

  it.each([
    ['false', 'false'],
    ['true', 'true'],
  ])('copies email_verified=%s and phone_number_verified exactly as the source has them', (verified) => {
    const source = {
      email: 'a@example.com',
      email_verified: verified,
      phone_number: '+15555550100',
      phone_number_verified: verified,
    };

    const { attributes } = mapSourceAttributes(source, aSchema(), MAP);

    expect(attributes.email_verified).toBe(verified);
    expect(attributes.phone_number_verified).toBe(verified);
  });

  it('does not invent a verified flag the source lacks', () => {
    const { attributes } = mapSourceAttributes({ email: 'a@example.com' }, aSchema(), MAP);

    expect(attributes).not.toHaveProperty('email_verified');
  });

  it('applies configured renames', () => {
    const map = { ...MAP, renames: { 'custom:org': 'custom:tenant' } };

    const { attributes, dropped } = mapSourceAttributes({ 'custom:org': 'acme' }, aSchema(), map);

    expect(attributes).toEqual({ 'custom:tenant': 'acme' });
    expect(dropped).toEqual([]);
  });

  it('removes configured drops without counting them', () => {
    const map = { ...MAP, drops: ['name'] };

    const { attributes, dropped } = mapSourceAttributes(
      { name: 'Ann', email: 'a@example.com' },
      aSchema(),
      map,
    );

    expect(attributes).toEqual({ email: 'a@example.com' });
    expect(dropped).toEqual([]);
  });

  it('drops and counts an attribute the target schema lacks', () => {
    const { attributes, dropped } = mapSourceAttributes(
      { 'custom:shoe_size': '42', name: 'Ann' },
      aSchema(),
      MAP,
    );

    expect(attributes).toEqual({ name: 'Ann' });
    expect(dropped).toEqual(['custom:shoe_size']);
  });

  it('drops identities, which only federation may write', () => {
    const { attributes, dropped } = mapSourceAttributes({ identities: '[]' }, aSchema(), MAP);

    expect(attributes).toEqual({});
    expect(dropped).toEqual(['identities']);
  });

  it('lets the source sub win over a same-named source attribute', () => {
    const { attributes } = mapSourceAttributes(
      { sub: 'old-sub', 'custom:legacy_sub': 'stale' },
      aSchema(),
      MAP,
    );

    expect(attributes['custom:legacy_sub']).toBe('old-sub');
  });

  it('names a required target attribute the source does not supply', () => {
    const schema = aSchema();
    schema.attributes.name = attr('name', true);

    const { missingRequired } = mapSourceAttributes({ sub: 's', email: 'a@example.com' }, schema, MAP);

    expect(missingRequired).toEqual(['name']);
  });

  it('does not report sub as missing although DescribeUserPool marks it required', () => {
    const { missingRequired } = mapSourceAttributes({ email: 'a@example.com' }, aSchema(), MAP);

    expect(missingRequired).toEqual([]);
  });
});

describe('describeTargetSchema', () => {
  const cognito = mockClient(CognitoIdentityProviderClient);
  beforeEach(() => cognito.reset());

  const schemaAttribute = (Name: string, Required = false): SchemaAttributeType => ({
    Name,
    Required,
    Mutable: Name !== 'sub',
    DeveloperOnlyAttribute: false,
    AttributeDataType: 'String',
  });

  it('reads schema, sign-in attributes, case sensitivity and MFA from one DescribeUserPool', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({
      UserPool: {
        Id: POOL_ID,
        SchemaAttributes: [schemaAttribute('sub', true), schemaAttribute('email', true)],
        AliasAttributes: ['email', 'preferred_username'],
        UsernameConfiguration: { CaseSensitive: false },
        MfaConfiguration: 'OPTIONAL',
        SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::111111111111:role/sms' },
      },
    });

    const schema = await describeTargetSchema(new CognitoIdentityProviderClient({}), POOL_ID);

    expect(schema).toEqual({
      userPoolId: POOL_ID,
      attributes: {
        sub: { name: 'sub', required: true, mutable: false, developerOnly: false },
        email: { name: 'email', required: true, mutable: true, developerOnly: false },
      },
      usernameAttributes: [],
      aliasAttributes: ['email', 'preferred_username'],
      caseSensitive: false,
      mfaConfiguration: 'OPTIONAL',
      smsMfaAvailable: true,
    });
    expect(cognito).toHaveReceivedCommandTimes(DescribeUserPoolCommand, 1);
  });

  it('treats a pool without UsernameConfiguration as case sensitive and without SMS as unable to send SMS MFA', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({ UserPool: { Id: POOL_ID, MfaConfiguration: 'ON' } });

    const schema = await describeTargetSchema(new CognitoIdentityProviderClient({}), POOL_ID);

    expect(schema.caseSensitive).toBe(true);
    expect(schema.smsMfaAvailable).toBe(false);
  });

  it('turns throttling into TargetThrottledError', async () => {
    cognito
      .on(DescribeUserPoolCommand)
      .rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} }));

    await expect(describeTargetSchema(new CognitoIdentityProviderClient({}), POOL_ID)).rejects.toBeInstanceOf(
      TargetThrottledError,
    );
  });

  it('turns any other failure into TargetUnavailableError', async () => {
    cognito.on(DescribeUserPoolCommand).rejects(new Error('socket hang up'));

    await expect(describeTargetSchema(new CognitoIdentityProviderClient({}), POOL_ID)).rejects.toBeInstanceOf(
      TargetUnavailableError,
    );
  });

  it('rejects an answer without a pool', async () => {
    cognito.on(DescribeUserPoolCommand).resolves({});

    await expect(describeTargetSchema(new CognitoIdentityProviderClient({}), POOL_ID)).rejects.toBeInstanceOf(
      TargetSchemaError,
    );
  });
});

describe('cacheTargetSchema', () => {
  it('loads once per TTL and shares one request among concurrent callers', async () => {
    const clock = new ManualClock();
    const load = jest.fn(() => Promise.resolve(aSchema()));
    const get = cacheTargetSchema(load, clock, 1000);

    await Promise.all([get(), get()]);
    clock.advance(999);
    await get();
    clock.advance(1);
    await get();

    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not cache a failure', async () => {
    const load = jest.fn().mockRejectedValueOnce(new Error('down')).mockResolvedValueOnce(aSchema());
    const get = cacheTargetSchema(load, new ManualClock());

    await expect(get()).rejects.toThrow('down');
    await expect(get()).resolves.toMatchObject({ userPoolId: POOL_ID });
  });
});
