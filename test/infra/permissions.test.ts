import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import { FUNCTION_NAMES, FUNCTION_PERMISSIONS } from '../../infra/permissions';
import { reachableFiles, REPO_ROOT } from './support';

/** Cognito operations IAM does not authorise: they are authorised by an app client or a token. */
const NOT_IAM_AUTHORISED = new Set(['RevokeToken', 'InitiateAuth', 'RespondToAuthChallenge', 'GetUser']);

const COGNITO_OPERATIONS = new Set(
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

  it('grants exactly the IAM-authorised Cognito operations its code calls', () => {
    const called = [...calls].filter((c) => COGNITO_OPERATIONS.has(c) && !NOT_IAM_AUTHORISED.has(c));
    const allowed = new Set([...granted.source, ...granted.target].map((a) => a.replace('cognito-idp:', '')));

    expect([...allowed].sort()).toEqual(called.sort());
  });

  it('grants exactly the DynamoDB actions its code calls', () => {
    const called = [...calls].filter((c) => c in DOCUMENT_ACTIONS).map((c) => DOCUMENT_ACTIONS[c]);

    expect([...granted.table].sort()).toEqual(called.sort());
  });

  it('may invoke a function only if it calls Lambda Invoke', () => {
    expect(granted.invokes.length > 0).toBe(calls.has('Invoke'));
  });
});
