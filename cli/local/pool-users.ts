import {
  paginateListUsers,
  type CognitoIdentityProviderClient,
  type UserType,
} from '@aws-sdk/client-cognito-identity-provider';

/** Every user of a pool, read once for the demo's checks (its pools fit in memory). */
export const listPoolUsers = async (
  client: CognitoIdentityProviderClient,
  userPoolId: string,
): Promise<UserType[]> => {
  const users: UserType[] = [];
  for await (const page of paginateListUsers({ client, pageSize: 60 }, { UserPoolId: userPoolId }))
    users.push(...(page.Users ?? []));
  return users;
};
