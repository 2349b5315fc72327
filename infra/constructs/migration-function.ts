import { join } from 'node:path';
import { type CfnElement, type CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** The repository root: entries, the lock file and package.json `imports` (#shared/*) resolve from here. */
export const REPO_ROOT = join(__dirname, '..', '..');

export interface MigrationFunctionProps extends Omit<
  NodejsFunctionProps,
  'entry' | 'handler' | 'runtime' | 'architecture' | 'role' | 'logGroup'
> {
  /** Entry file, relative to the repository root (e.g. `functions/lazy-migrate/handler.ts`). */
  entry: string;
  /** Physical function name; fixed so other stacks and the pool can name it. */
  functionName: string;
  /** Physical role name; fixed so the source account's trust policy can name it. */
  roleName: string;
  /** The migration configuration (JSON-serialisable, may hold tokens) the handler loads once. @default none */
  config?: Record<string, unknown>;
  logRetention: RetentionDays;
  /** @default RemovalPolicy.DESTROY for the log group */
  logRemovalPolicy?: RemovalPolicy;
}

/**
 * CDK makes a function (and a state machine) DependsOn its role as well as the role's policy; the
 * role half repeats what `GetAtt Role.Arn` already enforces, which cfn-lint reports as W3005. The
 * policy half is needed (the resource must not start before its permissions exist), so the
 * finding is acknowledged rather than the dependency removed.
 */
export const ignoreRedundantRoleDependency = (resource: CfnResource): void => {
  resource.addMetadata('cfn-lint', { config: { ignore_checks: ['W3005'] } });
};

/**
 * A migration Lambda with the project's defaults: Node.js 22 on arm64, bundled by local esbuild
 * (never Docker) with source maps, its own log group with a retention, and a role that holds
 * only what the stack grants it (no AWS managed policy).
 */
export class MigrationFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: MigrationFunctionProps) {
    const { config, logRetention, logRemovalPolicy, roleName, environment, bundling, ...rest } = props;
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: logRetention,
      removalPolicy: logRemovalPolicy ?? RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(scope, `${id}Role`, {
      roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    // Scoped to this function's log group instead of AWSLambdaBasicExecutionRole (logs:* on every group).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [`${logGroup.logGroupArn}:log-stream:*`],
      }),
    );
    super(scope, id, {
      ...rest,
      entry: join(REPO_ROOT, props.entry),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        ...(config ? { COGNITO_MIGRATE_CONFIG: Stack.of(scope).toJsonString(config) } : {}),
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: props.functionName,
        ...environment,
      },
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.CJS,
        target: 'node22',
        sourceMap: true,
        minify: true,
        // The SDK is bundled, not taken from the runtime: the functions then run the exact SDK
        // version the tests ran against, and esbuild tree-shakes what is unused.
        externalModules: [],
        ...bundling,
      },
    });
    ignoreRedundantRoleDependency(this.node.defaultChild as CfnResource);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'nodejs22.x is the project runtime: the code is built and tested on Node 20/22, not 24',
    });
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(scope).getLogicalId(logGroup.node.defaultChild as CfnElement)}.Arn>:log-stream:*]`,
      reason:
        'Log stream names are chosen by Lambda at run time; the grant is limited to this function’s own log group',
    });
  }
}
