import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import { cognitoOperation } from '#shared/cognito/operations';
import { FUNCTION_NAMES, FUNCTION_PERMISSIONS, sourceReaders, sourceRoleName } from '../../infra/permissions';
import {
  asArray,
  type Cfn,
  configFile,
  exampleConfig,
  policyStatements,
  reachableFiles,
  REPO_ROOT,
  synth,
  type Synthesized,
} from './support';

const SDK_OPERATIONS = new Set(
  Object.keys(cognitoSdk)
    .filter((key) => key.endsWith('Command'))
    .map((key) => key.slice(0, -'Command'.length)),
);

/** DocumentClient command → the DynamoDB action it needs. */
const DOCUMENT_ACTIONS: Record<string, string> = {
  Get: 'dynamodb:GetItem',
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  Query: 'dynamodb:Query',
  Scan: 'dynamodb:Scan',
  BatchWrite: 'dynamodb:BatchWriteItem',
  BatchGet: 'dynamodb:BatchGetItem',
};

const callsOf = (name: string): Set<string> => {
  const calls = new Set<string>();
  for (const file of reachableFiles(join(REPO_ROOT, 'functions', name, 'handler.ts'))) {
    // A command sent directly, or through one of lib-dynamodb's paginators (paginateQuery → Query).
    for (const match of readFileSync(file, 'utf8').matchAll(/new (\w+)Command\(|paginate(\w+)\(/g)) {
      calls.add((match[1] ?? match[2])!);
    }
  }
  return calls;
};

describe.each(FUNCTION_NAMES)('%s permissions', (name) => {
  const calls = callsOf(name);
  const granted = FUNCTION_PERMISSIONS[name];

  it('grants exactly the IAM actions of the Cognito operations its code calls', () => {
    // cognitoOperation throws for an operation missing from functions/shared/cognito/operations.ts.
    const needed = [...calls]
      .filter((c) => SDK_OPERATIONS.has(c))
      .map((c) => cognitoOperation(c).iamAction)
      .filter((action) => action !== null);
    const allowed = new Set([...granted.source, ...granted.target]);

    expect([...allowed].sort()).toEqual([...new Set(needed)].sort());
  });

  it('grants exactly the DynamoDB actions its code calls', () => {
    const called = [...calls].filter((c) => c in DOCUMENT_ACTIONS).map((c) => DOCUMENT_ACTIONS[c]);

    expect([...granted.table].sort()).toEqual(called.sort());
  });

  it('may invoke a function only if it calls Lambda Invoke', () => {
    expect(granted.invokes.length > 0).toBe(calls.has('Invoke'));
  });

  it('may put events exactly when its code publishes them', () => {
    expect([...granted.events]).toEqual(calls.has('PutEvents') ? ['events:PutEvents'] : []);
  });
});

describe('event bus permission', () => {
  let app: Synthesized;

  beforeAll(() => {
    const config = exampleConfig();
    config.migration.eventBusName = 'migration-events';
    app = synth({ config: configFile(config, 'event-bus.json') });
  });

  const busStatements = (app: Synthesized) =>
    policyStatements(app.migrationTemplate).filter(({ statement }) =>
      asArray<string>(statement.Action).some((action) => action.startsWith('events:')),
    );

  it('lets only the publishing functions put events, on the configured bus and no other', () => {
    const statements = busStatements(app);

    const publishers = FUNCTION_NAMES.filter((name) => FUNCTION_PERMISSIONS[name].events.length > 0);
    expect(statements).toHaveLength(publishers.length);
    for (const { statement } of statements) {
      expect(asArray(statement.Action)).toEqual(['events:PutEvents']);
      expect(JSON.stringify(statement.Resource)).toMatch(/:event-bus\/migration-events"/);
      expect(asArray(statement.Resource)).toHaveLength(1);
    }
  });

  it("gives the functions the bus name in their configuration, and nothing else of EventBridge's", () => {
    const environments = Object.values<Cfn>(app.migrationTemplate.findResources('AWS::Lambda::Function'))
      .map((fn) => JSON.stringify(fn.Properties.Environment?.Variables ?? {}))
      .filter((env) => env.includes('COGNITO_MIGRATE_CONFIG'));

    expect(environments.length).toBeGreaterThan(0);
    for (const env of environments) {
      expect(env).toContain('migration-events');
      expect(env).not.toMatch(/eventBridge|AWS_ENDPOINT_URL/);
    }
  });
});

describe('source roles', () => {
  let app: Synthesized;

  beforeAll(() => {
    app = synth();
  });

  /** The Cognito operations one source role allows, from the synthesized source-account template. */
  const roleOperations = (roleName: string): string[] => {
    const template = app.sourceTemplate!;
    const [roleId] = Object.entries<Cfn>(template.findResources('AWS::IAM::Role')).find(
      ([, r]) => r.Properties.RoleName === roleName,
    )!;
    return Object.values<Cfn>(template.findResources('AWS::IAM::Policy'))
      .filter((p) => p.Properties.Roles.some((r: Cfn) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement.flatMap((st: Cfn) => asArray<string>(st.Action)))
      .map((action) => action.replace('cognito-idp:', ''))
      .sort();
  };

  it('exist for exactly the functions whose code reads the source', () => {
    const roles = Object.values<Cfn>(app.sourceTemplate!.findResources('AWS::IAM::Role'))
      .map((r) => String(r.Properties.RoleName))
      .filter((name) => !name.endsWith('-operator'));

    expect(roles.sort()).toEqual(
      sourceReaders()
        .map((n) => sourceRoleName('cognito-migrate-source-read', n))
        .sort(),
    );
  });

  it.each(sourceReaders())('%s: its source role allows only operations its code calls', (name) => {
    // The IAM actions of the Cognito commands its code sends, from the operations table.
    const needed = new Set(
      [...callsOf(name)]
        .filter((c) => SDK_OPERATIONS.has(c))
        .map((c) => cognitoOperation(c).iamAction?.replace('cognito-idp:', '')),
    );
    const allowed = roleOperations(sourceRoleName('cognito-migrate-source-read', name));

    expect(allowed.length).toBeGreaterThan(0);
    expect(allowed.filter((op) => !needed.has(op))).toEqual([]);
    expect(allowed).toEqual(
      FUNCTION_PERMISSIONS[name].source.map((a) => a.replace('cognito-idp:', '')).sort(),
    );
  });

  it.each(FUNCTION_NAMES.filter((n) => !callsOf(n).has('AdminInitiateAuth')))(
    '%s never reaches a role that may check a source password',
    (name) => {
      const operations = sourceReaders().includes(name)
        ? roleOperations(sourceRoleName('cognito-migrate-source-read', name))
        : [];

      expect(operations).not.toContain('AdminInitiateAuth');
    },
  );
});
