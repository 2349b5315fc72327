import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import { cognitoOperation } from '#shared/cognito/operations';
import { FUNCTION_NAMES, FUNCTION_PERMISSIONS } from '../../infra/permissions';
import { reachableFiles, REPO_ROOT } from './support';

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
});
