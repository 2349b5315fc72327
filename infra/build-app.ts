import { isAbsolute, resolve } from 'node:path';
import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadInfraConfig, type InfraConfig } from './config';
import { MigrationStack } from './stacks/migration-stack';
import { SourceAccessStack } from './stacks/source-access-stack';

/** The committed example, so `npx cdk synth` works out of the box. */
export const DEFAULT_CONFIG = 'infra/examples/config.example.json';

export interface MigrationApp {
  config: InfraConfig;
  /** Only when the source pool is in another account (same account: the functions read it directly). */
  sourceAccess: SourceAccessStack | undefined;
  migration: MigrationStack;
}

/**
 * Adds the stacks to `app` from its context: `-c stage=<name>` (default `dev`) and
 * `-c config=<file>` (default the committed example), and runs cdk-nag's AwsSolutions checks
 * on every synth.
 */
export const buildApp = (app: App): MigrationApp => {
  const stage = String(app.node.tryGetContext('stage') ?? 'dev');
  const file = String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG);
  const config = loadInfraConfig(isAbsolute(file) ? file : resolve(process.cwd(), file), stage);
  const { deployment } = config;
  const sourceAccess = config.crossAccount
    ? new SourceAccessStack(app, `CognitoMigrate-${stage}-SourceAccess`, {
        config,
        env: { account: deployment.sourceAccount, region: deployment.sourceRegion },
        description: `cognito-migrate (${stage}): read-only access to the source user pool`,
      })
    : undefined;
  const migration = new MigrationStack(app, `CognitoMigrate-${stage}-Migration`, {
    config,
    env: { account: deployment.targetAccount, region: deployment.targetRegion },
    description: `cognito-migrate (${stage}): migration table, functions, state machine, triggers, dashboard`,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, sourceAccess, migration };
};
