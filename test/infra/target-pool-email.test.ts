import { configFile, exampleConfig, fullConfig, synth } from './support';

describe('a created target pool’s email', () => {
  it('goes through SES with the configured verified identity and configuration set', () => {
    const s = synth({ config: configFile(fullConfig(), 'ses.json') });

    s.migrationTemplate.hasResourceProperties('AWS::Cognito::UserPool', {
      EmailConfiguration: {
        EmailSendingAccount: 'DEVELOPER',
        From: 'Example <no-reply@example.org>',
        ConfigurationSet: 'cognito-migrate',
        SourceArn: {
          'Fn::Join': [
            '',
            ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-1:111111111111:identity/example.org'],
          ],
        },
      },
    });
  });

  it('stays on Cognito’s default account when no SES email is configured', () => {
    const config = exampleConfig();
    delete config.deployment.targetPool.email;
    const s = synth({ config: configFile(config, 'no-ses.json') });
    const [pool] = Object.values(s.migrationTemplate.findResources('AWS::Cognito::UserPool'));

    expect(pool!.Properties.EmailConfiguration?.EmailSendingAccount).not.toBe('DEVELOPER');
  });
});
