import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import type { TargetSchema } from '#shared/attribute-mapping';
import { silentLogger } from '#shared/logger';
import type { TableContext } from '#shared/table/context';
import type { ReconcileDeps } from '../../../functions/reconcile/deps';
import { aConfig } from '../../support/config';

/** A target schema with a username, email/phone and the legacy sub attribute. */
export const aTargetSchema = (overrides: Partial<TargetSchema> = {}): TargetSchema => ({
  userPoolId: 'us-east-1_target',
  attributes: Object.fromEntries(
    [
      'sub',
      'email',
      'email_verified',
      'phone_number',
      'phone_number_verified',
      'name',
      'custom:legacy_sub',
    ].map((name) => [name, { name, required: false, mutable: true, developerOnly: false }]),
  ),
  usernameAttributes: [],
  aliasAttributes: ['email'],
  caseSensitive: false,
  mfaConfiguration: 'OFF',
  smsMfaAvailable: false,
  ...overrides,
});

export { aConfig } from '../../support/config';

/** Deps whose Cognito clients are aws-sdk-client-mock'd; the table is whatever the test gives. */
export const fakeDeps = (table: TableContext, config = aConfig(), schema = aTargetSchema()) => {
  const source = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  const target = new CognitoIdentityProviderClient({ region: 'us-east-1' });
  const deps: ReconcileDeps = {
    config,
    table,
    source,
    target,
    logger: silentLogger,
    clock: table.clock,
    targetSchema: async () => schema,
    concurrency: 2,
    budgetMs: 60_000,
    randomPassword: () => 'Random-Password-1!',
  };
  return { deps, sourceMock: mockClient(source), targetMock: mockClient(target) };
};
