import { ConfigError } from '#shared/errors';
import { parseInfraConfig } from '../../infra/config';
import { type Cfn, exampleConfig } from './support';

const issuesOf = (raw: unknown, stage = 'dev'): string[] => {
  try {
    parseInfraConfig(raw, stage);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('parseInfraConfig', () => {
  it('accepts the committed examples', () => {
    const config = parseInfraConfig(exampleConfig(), 'dev');

    expect(config).toMatchObject({
      stage: 'dev',
      protectData: true,
      deployment: { targetRegion: 'eu-west-1', sourceRegion: 'eu-west-1', reconcileSchedule: 'rate(1 hour)' },
      crossAccount: true,
      sourceRoleArns: {
        'lazy-migrate': 'arn:aws:iam::222222222222:role/cognito-migrate-source-read-lazy-migrate',
        'bulk-export': 'arn:aws:iam::222222222222:role/cognito-migrate-source-read-bulk-export',
        reconcile: 'arn:aws:iam::222222222222:role/cognito-migrate-source-read-reconcile',
      },
      operatorRoleArn: 'arn:aws:iam::222222222222:role/cognito-migrate-source-read-operator',
    });
  });

  it.each(['prod', 'production', 'prd', 'dev'])(
    'protects the data of stage "%s" unless told not to',
    (stage) => {
      const raw = exampleConfig('infra/examples/config.existing-pool.example.json');

      expect(parseInfraConfig(raw, stage).protectData).toBe(true);
      raw.deployment.deletionProtection = false;
      expect(parseInfraConfig(raw, stage).protectData).toBe(false);
    },
  );

  it('names every missing field at once', () => {
    const issues = issuesOf({ migration: {}, deployment: {} });

    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^deployment\.targetAccount:/),
        expect.stringMatching(/^deployment\.sourceAccount:/),
        expect.stringMatching(/^deployment\.targetPool:/),
        expect.stringMatching(/^migration\.source/),
        expect.stringMatching(/^migration\.tableName:/),
        expect.stringMatching(/^migration\.migrationWindowEnd:/),
      ]),
    );
  });

  it('rejects a file without the migration and deployment sections', () => {
    expect(issuesOf({ source: {} })).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^source: unknown key/),
        expect.stringMatching(/^migration: required/),
        expect.stringMatching(/^deployment: required/),
      ]),
    );
  });

  it('rejects a target pool id when the stack creates the pool', () => {
    const raw = exampleConfig();
    raw.migration.target.userPoolId = 'eu-west-1_Target1';

    expect(issuesOf(raw)).toEqual([expect.stringMatching(/^migration\.target\.userPoolId: must be empty/)]);
  });

  it('requires the existing pool id when the stack does not create one', () => {
    const raw = exampleConfig();
    raw.deployment.targetPool = { create: false };

    expect(issuesOf(raw)).toEqual([expect.stringMatching(/^migration\.target\.userPoolId/)]);
  });

  it('requires an ExternalId for a source pool in another account', () => {
    const raw = exampleConfig();
    delete raw.migration.source.externalId;

    expect(issuesOf(raw)).toEqual([expect.stringMatching(/^migration\.source\.externalId: required/)]);
  });

  it.each([
    ['a bad schedule', (r: Cfn) => (r.deployment.reconcileSchedule = 'every hour'), /reconcileSchedule/],
    [
      'static credentials',
      (r: Cfn) => (r.migration.credentials = { accessKeyId: 'a', secretAccessKey: 'b' }),
      /credentials/,
    ],
    ['local endpoints', (r: Cfn) => (r.migration.endpoints = { cognito: 'http://127.0.0.1:1' }), /endpoints/],
  ])('rejects %s', (_, change, pattern) => {
    const raw = exampleConfig();
    change(raw);

    expect(issuesOf(raw).join('\n')).toMatch(pattern);
  });

  it('rejects a source roleArn (the stack names one role per function) and the old trustedRoleArns', () => {
    const raw = exampleConfig();
    raw.migration.source.roleArn = 'arn:aws:iam::222222222222:role/mine';
    raw.deployment.sourceAccess.trustedRoleArns = ['arn:aws:iam::111111111111:role/ops'];

    expect(issuesOf(raw)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^migration\.source\.roleArn: set by the stack/),
        expect.stringMatching(
          /^deployment\.sourceAccess\.trustedRoleArns: replaced by operatorPrincipalArns/,
        ),
      ]),
    );
  });

  it('rejects a stage that cannot be part of resource names', () => {
    expect(issuesOf(exampleConfig(), 'Prod_1')).toEqual([expect.stringMatching(/^stage:/)]);
  });
});
