import { join } from 'node:path';
import {
  ArnFormat,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  Validations,
  type StackProps,
} from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { InfraConfig } from '../config';
import { BulkSyncStateMachine } from '../constructs/bulk-sync-state-machine';
import { ExistingPoolTriggers } from '../constructs/existing-pool-triggers';
import { MigrationAlarms } from '../constructs/migration-alarms';
import { MigrationDashboard } from '../constructs/migration-dashboard';
import { MigrationFunction, REPO_ROOT } from '../constructs/migration-function';
import { MigrationTable } from '../constructs/migration-table';
import { ReconcileSchedule } from '../constructs/reconcile-schedule';
import { TargetPool, type MigrationTriggers } from '../constructs/target-pool';
import type { ConfigInput } from '#shared/config';
import {
  CLIENT_SECRET_READERS,
  FUNCTION_NAMES,
  FUNCTION_PERMISSIONS,
  functionName,
  functionRoleName,
  type FunctionName,
} from '../permissions';
import { sourcePoolArn } from './source-access-stack';

export interface MigrationStackProps extends StackProps {
  config: InfraConfig;
}

/** The bulk-sync definition, used verbatim (the local runner executes the same file). */
export const BULK_SYNC_ASL = join(REPO_ROOT, 'statemachines', 'bulk-sync.asl.json');

/** Per-function sizing. Trigger functions stay within Cognito's 5 s trigger timeout. */
const SIZING: Record<FunctionName, { timeout: Duration; memorySize: number; description: string }> = {
  'lazy-migrate': {
    timeout: Duration.seconds(5),
    memorySize: 1024,
    description: 'UserMigration and PreSignUp triggers: verifies the password against the source pool',
  },
  'group-sync': {
    timeout: Duration.seconds(5),
    memorySize: 512,
    description: 'PostAuthentication and PreTokenGeneration triggers: group memberships of migrated users',
  },
  'bulk-export': {
    timeout: Duration.minutes(5),
    memorySize: 1024,
    description: 'Bulk-sync tasks: snapshots source users, groups and memberships into the migration table',
  },
  reconcile: {
    timeout: Duration.minutes(15),
    memorySize: 1024,
    description: 'Scheduled reconciler and end-of-window reset campaign',
  },
};

/**
 * Deployed in the target account: the migration table, the four functions, the bulk-sync
 * state machine, the reconcile schedule, the triggers on the target pool (a new pool, or an
 * existing one through a custom resource) and the dashboard with its alarms.
 */
export class MigrationStack extends Stack {
  readonly table: MigrationTable;
  readonly functions: Record<FunctionName, MigrationFunction>;
  readonly targetPoolId: string;
  readonly targetPoolArn: string;
  readonly targetPool: TargetPool | undefined;
  readonly existingPoolTriggers: ExistingPoolTriggers | undefined;
  readonly bulkSync: BulkSyncStateMachine;
  /** group-sync continuations that failed every attempt (Lambda's on-failure destination). */
  readonly groupSyncFailures: sqs.Queue;
  readonly alarms: MigrationAlarms;

  constructor(scope: Construct, id: string, props: MigrationStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { stage, deployment } = config;
    const logRetention = deployment.logRetentionDays as RetentionDays;
    const logRemovalPolicy = config.protectData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    const functionArn = (name: string) => this.functionArn(name);
    // ARNs from the fixed names rather than Refs: the functions' configuration names the pool,
    // so the pool referring back to the functions would be a circular dependency.
    const triggers: MigrationTriggers = {
      UserMigration: functionArn(functionName(stage, 'lazy-migrate')),
      PreSignUp: functionArn(functionName(stage, 'lazy-migrate')),
      PreTokenGeneration: functionArn(functionName(stage, 'group-sync')),
      PostAuthentication: functionArn(functionName(stage, 'group-sync')),
    };

    if (deployment.targetPool.create) {
      this.targetPool = new TargetPool(this, 'TargetPool', {
        settings: deployment.targetPool,
        poolName: deployment.targetPool.poolName ?? `cognito-migrate-${stage}-target`,
        legacySubAttribute: config.migration.attributeMap.legacySubAttribute,
        triggers,
        protectData: config.protectData,
      });
      this.targetPoolId = this.targetPool.userPool.userPoolId;
      this.targetPoolArn = this.targetPool.userPool.userPoolArn;
      new CfnOutput(this, 'TargetUserPoolId', { value: this.targetPoolId });
      new CfnOutput(this, 'TargetAppClientId', { value: this.targetPool.client.userPoolClientId });
    } else {
      this.targetPoolId = config.migration.target.userPoolId;
      this.targetPoolArn = this.formatArn({
        service: 'cognito-idp',
        resource: 'userpool',
        resourceName: this.targetPoolId,
      });
    }

    this.table = new MigrationTable(this, 'MigrationTable', {
      tableName: config.migration.tableName,
      protectData: config.protectData,
    });

    // Both Regions explicitly: inside Lambda the configured `region` is the function's own, so a
    // source pool in another Region (deployment.sourceRegion) is only reachable if named here.
    const functionConfig = (name: FunctionName): Record<string, unknown> => ({
      ...config.migrationInput,
      source: { ...functionSource(config, name), region: deployment.sourceRegion },
      target: {
        ...config.migrationInput.target,
        userPoolId: this.targetPoolId,
        region: deployment.targetRegion,
      },
      ...(name === 'group-sync' ? { groupSyncFunctionName: functionName(stage, 'group-sync') } : {}),
    });
    const functions = {} as Record<FunctionName, MigrationFunction>;
    for (const name of FUNCTION_NAMES) {
      functions[name] = new MigrationFunction(this, pascal(name), {
        entry: `functions/${name}/handler.ts`,
        functionName: functionName(stage, name),
        roleName: functionRoleName(stage, name, deployment.targetRegion),
        config: functionConfig(name),
        logRetention,
        logRemovalPolicy,
        ...SIZING[name],
      });
    }
    this.functions = functions;
    for (const name of FUNCTION_NAMES) this.grant(name, config);
    // group-sync hands what it could not apply in time to itself asynchronously; two retries,
    // then the event is kept in a queue (the next sign-in or the reconciler applies the rest),
    // so a dropped continuation is visible and can be alarmed on.
    this.groupSyncFailures = new sqs.Queue(this, 'GroupSyncFailures', {
      queueName: `cognito-migrate-${stage}-group-sync-failures`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.groupSyncFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is the on-failure destination of group-sync’s async invocations: it is the dead-letter queue',
    });
    functions['group-sync'].configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(this.groupSyncFailures),
    });

    for (const fn of [functions['lazy-migrate'], functions['group-sync']]) {
      fn.addPermission('InvokedByTargetPool', {
        principal: new iam.ServicePrincipal('cognito-idp.amazonaws.com'),
        sourceArn: this.targetPoolArn,
        sourceAccount: this.account,
      });
    }
    if (!deployment.targetPool.create) {
      this.existingPoolTriggers = new ExistingPoolTriggers(this, 'ExistingPoolTriggers', {
        userPoolId: this.targetPoolId,
        userPoolArn: this.targetPoolArn,
        triggers,
        functionName: `cognito-migrate-${stage}-attach-triggers`,
        roleName: `cognito-migrate-${stage}-attach-triggers-${deployment.targetRegion}`,
        logRetention,
      });
      // Attach only once the functions and Cognito's permission to invoke them (children of the
      // functions) exist, or the first sign-ins fail.
      for (const fn of Object.values(functions)) this.existingPoolTriggers.node.addDependency(fn);
    }

    this.bulkSync = new BulkSyncStateMachine(this, 'BulkSync', {
      definitionFile: BULK_SYNC_ASL,
      substitutions: { BulkExportFunctionArn: functions['bulk-export'].functionArn },
      invokes: [functions['bulk-export']],
      logRetention,
      logRemovalPolicy,
      stateMachineName: `cognito-migrate-${stage}-bulk-sync`,
    });

    const schedule = new ReconcileSchedule(this, 'ReconcileSchedule', {
      fn: functions.reconcile,
      expression: deployment.reconcileSchedule,
      timezone: deployment.scheduleTimezone,
      scheduleName: `cognito-migrate-${stage}-reconcile`,
    });

    const dashboard = new MigrationDashboard(this, 'Dashboard', {
      dashboardName: `cognito-migrate-${stage}`,
      triggerFunctions: [functions['lazy-migrate'], functions['group-sync']],
      allFunctions: Object.values(functions),
      lazyMigrate: functions['lazy-migrate'],
      stateMachine: this.bulkSync.stateMachine,
    });
    this.alarms = new MigrationAlarms(this, 'Alarms', {
      functions,
      stateMachine: this.bulkSync.stateMachine,
      scheduleDeadLetterQueue: schedule.deadLetterQueue,
      groupSyncFailureQueue: this.groupSyncFailures,
      topicName: `cognito-migrate-${stage}-alarms`,
      emails: deployment.alarmEmails,
      ...(deployment.alarmTopicArn ? { topicArn: deployment.alarmTopicArn } : {}),
    });
    for (const alarm of dashboard.alarms) this.alarms.notify(alarm);
    new CfnOutput(this, 'AlarmTopicArn', { value: this.alarms.topic.topicArn });

    new CfnOutput(this, 'MigrationTableName', { value: this.table.table.tableName });
    new CfnOutput(this, 'BulkSyncStateMachineArn', {
      value: this.bulkSync.stateMachine.stateMachineArn,
      description: 'stateMachineArn for the CLI configuration',
    });
  }

  /** A function's ARN from its fixed name. */
  private functionArn(name: string): string {
    return this.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: name,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** Grants one function exactly its FUNCTION_PERMISSIONS entry, on named ARNs only. */
  private grant(name: FunctionName, config: InfraConfig): void {
    const fn = this.functions[name];
    const permissions = FUNCTION_PERMISSIONS[name];
    const source = functionSource(config, name);
    for (const ref of [source.migrationClientSecretRef, source.externalIdRef]) {
      if (!ref) continue;
      fn.addToRolePolicy(
        'ssmParameter' in ref
          ? new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [ref.ssmParameter] })
          : new iam.PolicyStatement({
              actions: ['secretsmanager:GetSecretValue'],
              resources: [ref.secretsManagerArn],
            }),
      );
    }
    if (permissions.source.length > 0) {
      const sourceRoleArn = config.sourceRoleArns[name];
      fn.addToRolePolicy(
        sourceRoleArn
          ? new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [sourceRoleArn] })
          : new iam.PolicyStatement({ actions: [...permissions.source], resources: [sourcePoolArn(config)] }),
      );
    }
    if (permissions.target.length > 0) {
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: [...permissions.target], resources: [this.targetPoolArn] }),
      );
    }
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: [...permissions.table], resources: this.table.resourceArns }),
    );
    if (permissions.events.length > 0) {
      // The configured bus only: a function cannot put events on any other bus of the account.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: [...permissions.events],
          resources: [
            this.formatArn({
              service: 'events',
              resource: 'event-bus',
              resourceName: config.migration.eventBusName,
            }),
          ],
        }),
      );
    }
    for (const target of permissions.invokes) {
      // Named, not a Ref: a function granted to invoke itself would otherwise depend on itself.
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['lambda:InvokeFunction'],
          resources: [this.functionArn(functionName(config.stage, target))],
        }),
      );
    }
  }
}

/**
 * The `source` section one function receives: its own source role, the ExternalId only if it
 * reads the source, and the client secret's reference only if it checks passwords. Secrets are
 * references (read at cold start), never values.
 */
const functionSource = (config: InfraConfig, name: FunctionName): ConfigInput['source'] => {
  const { migrationClientSecretRef, externalId, externalIdRef, ...source } = config.migrationInput.source;
  const reads = FUNCTION_PERMISSIONS[name].source.length > 0;
  const roleArn = config.sourceRoleArns[name];
  return {
    ...source,
    ...(roleArn ? { roleArn } : {}),
    ...(reads && externalId ? { externalId } : {}),
    ...(reads && externalIdRef ? { externalIdRef } : {}),
    ...(CLIENT_SECRET_READERS.includes(name) && migrationClientSecretRef ? { migrationClientSecretRef } : {}),
  };
};

const pascal = (name: string): string => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());
