import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALARM_IDS } from '../../infra/constructs/migration-alarms';
import { type Cfn, configFile, exampleConfig, REPO_ROOT, synth, type Synthesized } from './support';

let dev: Synthesized;

beforeAll(() => {
  dev = synth();
});

const alarms = (s: Synthesized): Array<[string, Cfn]> =>
  Object.entries<Cfn>(s.migrationTemplate.findResources('AWS::CloudWatch::Alarm'));

const topicId = (s: Synthesized): string =>
  Object.keys(s.migrationTemplate.findResources('AWS::SNS::Topic'))[0]!;

describe('MigrationAlarms', () => {
  it.each(ALARM_IDS.filter((id) => id !== 'GroupSyncFailedEvents'))('raises the %s alarm', (id) => {
    expect(alarms(dev).some(([logicalId]) => logicalId.startsWith(`Alarms${id}`))).toBe(true);
  });

  it('gives every alarm an action on the topic the stack creates when none is configured', () => {
    const topic = topicId(dev);

    expect(alarms(dev).length).toBeGreaterThanOrEqual(ALARM_IDS.length - 1 + 3);
    for (const [, alarm] of alarms(dev)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topic }]);
    }
  });

  it('subscribes the configured emails to the created topic', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'migration-oncall@example.com',
      TopicArn: { Ref: topicId(dev) },
    });
  });

  it('notifies a configured topic instead of creating one', () => {
    const config = exampleConfig();
    const topicArn = 'arn:aws:sns:eu-west-1:111111111111:oncall';
    config.deployment.alarmTopicArn = topicArn;
    const s = synth({ config: configFile(config, 'topic.json') });

    s.migrationTemplate.resourceCountIs('AWS::SNS::Topic', 0);
    for (const [, alarm] of alarms(s)) expect(alarm.Properties.AlarmActions).toEqual([topicArn]);
  });

  it('alarms on the state machine’s failed, timed-out and aborted executions', () => {
    const metrics = alarms(dev).map(([, a]) => a.Properties.MetricName);

    expect(metrics).toEqual(
      expect.arrayContaining(['ExecutionsFailed', 'ExecutionsTimedOut', 'ExecutionsAborted']),
    );
  });

  it('alarms on dropped asynchronous group-sync invocations', () => {
    dev.migrationTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'AsyncEventsDropped',
    });
  });

  it('sends schedule invocations that failed after retries to a dead-letter queue Scheduler may write to', () => {
    const [queueId] = Object.keys(dev.migrationTemplate.findResources('AWS::SQS::Queue')).filter((id) =>
      id.startsWith('ReconcileSchedule'),
    );

    dev.migrationTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      Target: { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
  });

  it('has a runbook entry in the README for every alarm', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

    expect(ALARM_IDS.filter((id) => !readme.includes(`**${id}**`))).toEqual([]);
  });
});
