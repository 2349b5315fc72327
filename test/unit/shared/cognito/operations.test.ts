import * as cognitoSdk from '@aws-sdk/client-cognito-identity-provider';
import {
  COGNITO_OPERATIONS,
  cognitoOperation,
  quotaCategoryOf,
  UnlistedCognitoOperationError,
} from '#shared/cognito/operations';
import { OPERATIONS } from '../../../../local/cognito/dispatch';

describe('the Cognito operations table', () => {
  it('lists every operation the emulator serves', () => {
    const unlisted = Object.keys(OPERATIONS).filter((name) => !Object.hasOwn(COGNITO_OPERATIONS, name));

    expect(unlisted).toEqual([]);
  });

  it('names only operations the SDK has a command for', () => {
    const notInSdk = Object.keys(COGNITO_OPERATIONS).filter((name) => !(`${name}Command` in cognitoSdk));

    expect(notInSdk).toEqual([]);
  });

  it('gives an unmetered operation a reason', () => {
    const withoutReason = Object.entries(COGNITO_OPERATIONS).filter(
      ([, entry]) => typeof entry.quota !== 'string' && entry.quota.unmetered.trim() === '',
    );

    expect(withoutReason).toEqual([]);
  });

  it('reads an SDK command name the same as its operation name', () => {
    expect(cognitoOperation('AdminGetUserCommand')).toBe(cognitoOperation('AdminGetUser'));
    expect(quotaCategoryOf('ListUsersInGroupCommand')).toBe('UserList');
  });

  it('reports a deliberately unmetered operation as having no category', () => {
    expect(quotaCategoryOf('CreateUserPool')).toBeUndefined();
  });

  it('fails loudly for an operation it does not list', () => {
    expect(() => cognitoOperation('AdminForgetDevice')).toThrow(UnlistedCognitoOperationError);
    expect(() => quotaCategoryOf('toString')).toThrow(UnlistedCognitoOperationError);
  });
});
