import { ConfigError } from '#shared/errors';
import { parseInfraConfig } from '../../infra/config';
import { functionName } from '../../infra/permissions';
import { type Cfn, configFile, exampleConfig, synth, type Synthesized } from './support';

const scope = { attribute: 'custom:tenant', values: ['acme'] };

/** COGNITO_MIGRATE_CONFIG is a Fn::Join when it holds tokens (the pool id); literal parts are enough here. */
const resolveJoin = (value: Cfn): string =>
  typeof value === 'string'
    ? value
    : value['Fn::Join'][1].map((part: Cfn) => (typeof part === 'string' ? part : 'TOKEN')).join('');

const functionConfig = (s: Synthesized, name: string): Cfn => {
  const fn = Object.values<Cfn>(s.migrationTemplate.findResources('AWS::Lambda::Function')).find(
    (r) => r.Properties.FunctionName === functionName('dev', name as never),
  )!;
  return JSON.parse(resolveJoin(fn.Properties.Environment.Variables.COGNITO_MIGRATE_CONFIG));
};

describe('migrationScope in a deployment', () => {
  it('reaches every function that reads or migrates source users', () => {
    const raw = exampleConfig();
    raw.migration.migrationScope = scope;

    const synthesized = synth({ config: configFile(raw, 'scoped.json') });

    for (const name of ['lazy-migrate', 'bulk-export', 'reconcile']) {
      expect(functionConfig(synthesized, name).migrationScope).toEqual(scope);
    }
  });

  it('is validated with the deployment, naming the field', () => {
    const raw = exampleConfig();
    raw.migration.migrationScope = { attribute: 'custom:tenant', values: [] };

    expect(() => parseInfraConfig(raw, 'dev')).toThrow(ConfigError);
    expect(() => parseInfraConfig(raw, 'dev')).toThrow(
      /migration\.migrationScope\.values: at least one value/,
    );
  });
});
