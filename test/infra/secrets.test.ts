import { ConfigError } from '#shared/errors';
import { parseInfraConfig } from '../../infra/config';
import { FUNCTION_NAMES, functionName } from '../../infra/permissions';
import {
  asArray,
  type Cfn,
  CLIENT_SECRET_PARAMETER_ARN,
  configFile,
  exampleConfig,
  EXTERNAL_ID_SECRET_ARN,
  fullConfig,
  policyStatements,
  synth,
  type Synthesized,
} from './support';

let full: Synthesized;

beforeAll(() => {
  full = synth({ config: configFile(fullConfig(), 'secrets.json') });
});

const functionConfig = (s: Synthesized, name: string): Cfn => {
  const fn = Object.values<Cfn>(s.migrationTemplate.findResources('AWS::Lambda::Function')).find(
    (r) => r.Properties.FunctionName === functionName('dev', name as never),
  )!;
  return JSON.parse(
    s.migrationTemplate.toJSON() && resolveJoin(fn.Properties.Environment.Variables.COGNITO_MIGRATE_CONFIG),
  );
};

/** COGNITO_MIGRATE_CONFIG is a Fn::Join when it holds tokens (the pool id); literal parts are enough here. */
const resolveJoin = (value: Cfn): string =>
  typeof value === 'string'
    ? value
    : value['Fn::Join'][1].map((part: Cfn) => (typeof part === 'string' ? part : 'TOKEN')).join('');

const actionsOn = (s: Synthesized, resource: string): string[] =>
  policyStatements(s.migrationTemplate)
    .filter(({ statement }) => asArray(statement.Resource).includes(resource))
    .flatMap(({ logicalId, statement }) => asArray<string>(statement.Action).map((a) => `${logicalId} ${a}`));

describe('secrets', () => {
  it('refuses a plain-text client secret at synth', () => {
    const raw = exampleConfig();
    raw.migration.source.migrationClientSecret = 'plain-text-secret';

    expect(() => parseInfraConfig(raw, 'dev')).toThrow(ConfigError);
    expect(() => parseInfraConfig(raw, 'dev')).toThrow(
      /migrationClientSecret: a secret must not be deployed in plain text/,
    );
  });

  it('gives functions the secrets’ references, never a value', () => {
    const lazy = functionConfig(full, 'lazy-migrate');

    expect(lazy.source).toMatchObject({
      externalIdRef: { secretsManagerArn: EXTERNAL_ID_SECRET_ARN, jsonKey: 'externalId' },
      migrationClientSecretRef: { ssmParameter: CLIENT_SECRET_PARAMETER_ARN },
    });
    for (const name of FUNCTION_NAMES) {
      const source = functionConfig(full, name).source;
      expect(source.externalId).toBeUndefined();
      expect(source.migrationClientSecret).toBeUndefined();
    }
  });

  it('lets only lazy-migrate read the client secret, and only the source readers the ExternalId', () => {
    expect(actionsOn(full, CLIENT_SECRET_PARAMETER_ARN)).toEqual([
      expect.stringMatching(/^LazyMigrateRoleDefaultPolicy\w+ ssm:GetParameter$/),
    ]);
    expect(actionsOn(full, EXTERNAL_ID_SECRET_ARN).sort()).toEqual([
      expect.stringMatching(/^BulkExportRoleDefaultPolicy\w+ secretsmanager:GetSecretValue$/),
      expect.stringMatching(/^LazyMigrateRoleDefaultPolicy\w+ secretsmanager:GetSecretValue$/),
      expect.stringMatching(/^ReconcileRoleDefaultPolicy\w+ secretsmanager:GetSecretValue$/),
    ]);
    expect(functionConfig(full, 'group-sync').source.externalIdRef).toBeUndefined();
    expect(functionConfig(full, 'bulk-export').source.migrationClientSecretRef).toBeUndefined();
  });

  it('puts an ExternalId kept in Secrets Manager into the trust policies as a dynamic reference', () => {
    const trust = Object.values<Cfn>(full.sourceTemplate!.findResources('AWS::IAM::Role')).map((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument),
    );

    expect(trust.length).toBeGreaterThan(0);
    for (const document of trust) {
      expect(document).toContain(
        `{{resolve:secretsmanager:${EXTERNAL_ID_SECRET_ARN}:SecretString:externalId::}}`,
      );
    }
  });

  it('refuses an ExternalId kept in SSM, which a trust policy cannot resolve', () => {
    const config = fullConfig();
    config.migration.source.externalIdRef = {
      ssmParameter: 'arn:aws:ssm:us-east-1:222222222222:parameter/cognito-migrate/external-id',
    };

    expect(() => synth({ config: configFile(config, 'ssm-external-id.json') })).toThrow(
      /externalIdRef: the source account's trust policies need the ExternalId/,
    );
  });
});
