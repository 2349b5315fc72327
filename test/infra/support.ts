import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, DEFAULT_CONFIG, type MigrationApp } from '../../infra/build-app';
import { REPO_ROOT } from '../../infra/constructs/migration-function';

export { REPO_ROOT };

/** CloudFormation template fragments: untyped JSON by nature. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Cfn = any;

export const exampleConfig = (name = DEFAULT_CONFIG): Record<string, Cfn> =>
  JSON.parse(readFileSync(join(REPO_ROOT, name), 'utf8'));

const tempDir = mkdtempSync(join(tmpdir(), 'infra-test-'));

/** Writes a configuration object to a temporary file, for `-c config=`. */
export const configFile = (config: unknown, name = 'config.json'): string => {
  const path = join(tempDir, name);
  writeFileSync(path, JSON.stringify(config));
  return path;
};

export interface Synthesized extends MigrationApp {
  app: App;
  migrationTemplate: Template;
  sourceTemplate: Template | undefined;
}

/**
 * Builds the app as `cdk synth -c stage=… -c config=…` would, with bundling skipped (tests do
 * not need the zip; the real synth bundles with local esbuild). cdk-nag runs on synth: a
 * finding without an acknowledgement makes synth throw.
 */
export const synth = (options: { config?: string; stage?: string; outdir?: string } = {}): Synthesized => {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    context: {
      'aws:cdk:bundling-stacks': [],
      ...(options.stage ? { stage: options.stage } : {}),
      ...(options.config ? { config: options.config } : { config: join(REPO_ROOT, DEFAULT_CONFIG) }),
    },
  });
  const built = buildApp(app);
  app.synth();
  return {
    ...built,
    app,
    migrationTemplate: Template.fromStack(built.migration),
    sourceTemplate: built.sourceAccess ? Template.fromStack(built.sourceAccess) : undefined,
  };
};

/** Every statement of every IAM policy and role inline policy in a template. */
export const policyStatements = (template: Template): Array<{ logicalId: string; statement: Cfn }> => {
  const out: Array<{ logicalId: string; statement: Cfn }> = [];
  for (const [logicalId, resource] of Object.entries<Cfn>(template.toJSON().Resources)) {
    const documents =
      resource.Type === 'AWS::IAM::Policy'
        ? [resource.Properties.PolicyDocument]
        : resource.Type === 'AWS::IAM::Role'
          ? (resource.Properties.Policies ?? []).map((p: Cfn) => p.PolicyDocument)
          : [];
    for (const document of documents) {
      for (const statement of document.Statement) out.push({ logicalId, statement });
    }
  }
  return out;
};

export const asArray = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/**
 * The files a module reaches through relative and `#shared/` imports (a regex walk is enough for
 * this codebase's plain `import … from '…'` statements).
 */
export const reachableFiles = (entry: string): string[] => {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file) || !existsSync(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const spec = match[1]!;
      const base = spec.startsWith('#shared/')
        ? join(REPO_ROOT, 'functions/shared', spec.slice('#shared/'.length))
        : spec.startsWith('.')
          ? resolve(dirname(file), spec)
          : undefined;
      if (base) visit(existsSync(`${base}.ts`) ? `${base}.ts` : join(base, 'index.ts'));
    }
  };
  visit(entry);
  return [...seen];
};

/**
 * The configuration the "done when" names: an operator role, a source pool in another
 * Region, and (for a created pool) SES email.
 */
export const fullConfig = (): Record<string, Cfn> => {
  const config = exampleConfig();
  const { externalId: _externalId, ...source } = config.migration.source;
  config.migration.source = {
    ...source,
    region: 'us-east-1',
    userPoolId: 'us-east-1_SourcePool1',
    externalIdRef: { secretsManagerArn: EXTERNAL_ID_SECRET_ARN, jsonKey: 'externalId' },
    migrationClientSecretRef: { ssmParameter: CLIENT_SECRET_PARAMETER_ARN },
  };
  config.deployment.targetPool.email = {
    fromEmail: 'no-reply@example.org',
    fromName: 'Example',
    sesVerifiedDomain: 'example.org',
    configurationSet: 'cognito-migrate',
  };
  return config;
};

export const EXTERNAL_ID_SECRET_ARN =
  'arn:aws:secretsmanager:us-east-1:222222222222:secret:cognito-migrate/external-id-AbCdEf';
export const CLIENT_SECRET_PARAMETER_ARN =
  'arn:aws:ssm:eu-west-1:111111111111:parameter/cognito-migrate/client-secret';
