import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ConfigInput, MigrationConfig } from '#shared/config';
import type { AppLogger } from '#shared/logger';
import type { TableContext } from '#shared/table/context';
import type { Clock } from '#shared/clock';
import { aConfig as baseConfig } from '../../support/config';

export const TARGET_POOL = 'us-east-1_Target1';
export const TARGET_ROLE = 'arn:aws:iam::222222222222:role/target-admins';
export const SOURCE_ROLE = 'arn:aws:iam::111111111111:role/source-admins';

export const aConfig = (overrides: Partial<ConfigInput> = {}): MigrationConfig =>
  baseConfig({
    source: { userPoolId: 'us-east-1_Source1', migrationClientId: 'client' },
    target: { userPoolId: TARGET_POOL },
    migrationWindowEnd: '2026-12-31T00:00:00Z',
    groupRoleArnMap: { [SOURCE_ROLE]: TARGET_ROLE },
    ...overrides,
  });

/** A logger whose calls a test can inspect. */
export const spyLogger = () =>
  ({
    debug: jest.fn(),
    info: jest.fn(),
    warn: jest.fn(),
    error: jest.fn(),
    appendKeys: jest.fn(),
  }) satisfies AppLogger;

export const aCognitoClient = () => new CognitoIdentityProviderClient({ region: 'us-east-1' });

export const aTable = (clock: Clock): TableContext => ({
  doc: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })),
  tableName: 'migration',
  clock,
});
