import { App } from 'aws-cdk-lib';
import { ConfigError } from '#shared/errors';
import { buildApp } from './build-app';

try {
  const app = new App();
  buildApp(app);
  app.synth();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  // A configuration problem is the user's to fix: print the list, not a stack trace.
  console.error(error.message);
  process.exit(1);
}
