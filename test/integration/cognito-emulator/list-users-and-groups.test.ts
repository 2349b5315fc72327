import {
  AdminAddUserToGroupCommand,
  AdminListGroupsForUserCommand,
  AdminRemoveUserFromGroupCommand,
  CreateGroupCommand,
  DeleteGroupCommand,
  GetGroupCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ListUsersInGroupCommand,
  AdminDisableUserCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPool, errorOf, useHarness } from './helpers';

const h = useHarness();
let poolId: string;
beforeAll(async () => {
  ({ poolId } = await createPool(h));
  for (let i = 0; i < 150; i++)
    h.emulator.store.createUserDirect(poolId, {
      username: `user${String(i).padStart(3, '0')}`,
      attributes: {
        email: `user${i}@${i % 2 ? 'odd' : 'even'}.example.com`,
        family_name: i < 5 ? 'Smith' : 'Jones',
        'custom:x': '1',
      },
    });
});

async function listAll(filter?: string, limit = 60): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: filter, Limit: limit, PaginationToken: token }),
    );
    names.push(...page.Users!.map((u) => u.Username!));
    token = page.PaginationToken;
  } while (token);
  return names;
}

describe('ListUsers', () => {
  it('refuses a Limit above 60 with InvalidParameterException', async () => {
    const error = await errorOf(h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 61 })));
    expect(error.name).toBe('InvalidParameterException');
  });

  it('pages through every user exactly once with the opaque PaginationToken', async () => {
    const names = await listAll(undefined, 60);
    expect(names).toHaveLength(150);
    expect(new Set(names).size).toBe(150);
  });

  it('returns no PaginationToken on the last page', async () => {
    const page = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Filter: 'family_name = "Smith"' }),
    );
    expect(page.Users).toHaveLength(5);
    expect(page.PaginationToken).toBeUndefined();
  });

  it('filters with = on an exact value', async () => {
    expect(await listAll('email = "user7@odd.example.com"')).toEqual(['user007']);
  });

  it('filters with ^= on a prefix, across pages', async () => {
    expect(await listAll('username ^= "user1"', 7)).toHaveLength(50);
  });

  it('filters on sub with a prefix through the sub index', async () => {
    const first = (await h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 1 }))).Users![0]!;
    const sub = first.Attributes!.find((a) => a.Name === 'sub')!.Value!;
    const found = await listAll(`sub ^= "${sub.slice(0, 8)}"`);
    expect(found).toContain(first.Username);
  });

  it('filters on status "Disabled"', async () => {
    await h.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'user149' }));
    expect(await listAll('status = "Disabled"')).toEqual(['user149']);
  });

  it('filters on cognito:user_status', async () => {
    expect(await listAll('cognito:user_status = "CONFIRMED"')).toHaveLength(150);
  });

  it('refuses a filter on an attribute that is not searchable', async () => {
    const error = await errorOf(
      h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'custom:x = "1"' })),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('refuses an operator other than = and ^=', async () => {
    const error = await errorOf(
      h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Filter: 'email != "x"' })),
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('returns only AttributesToGet', async () => {
    const page = await h.cognito.send(
      new ListUsersCommand({ UserPoolId: poolId, Limit: 1, AttributesToGet: ['email'] }),
    );
    expect(page.Users![0]!.Attributes!.map((a) => a.Name)).toEqual(['email']);
  });

  it('refuses a PaginationToken from a different query', async () => {
    const page = await h.cognito.send(new ListUsersCommand({ UserPoolId: poolId, Limit: 2 }));
    const error = await errorOf(
      h.cognito.send(
        new ListUsersCommand({
          UserPoolId: poolId,
          Filter: 'family_name = "Jones"',
          PaginationToken: page.PaginationToken,
        }),
      ),
    );
    expect(error.name).toBe('InvalidParameterException');
  });
});

describe('groups', () => {
  it('CreateGroup refuses a duplicate with GroupExistsException', async () => {
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'dup' }));
    const error = await errorOf(
      h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'dup' })),
    );
    expect(error.name).toBe('GroupExistsException');
  });

  it('GetGroup answers ResourceNotFoundException for a missing group', async () => {
    const error = await errorOf(
      h.cognito.send(new GetGroupCommand({ UserPoolId: poolId, GroupName: 'missing' })),
    );
    expect(error.name).toBe('ResourceNotFoundException');
  });

  it('ListGroups pages with NextToken and refuses Limit above 60', async () => {
    for (let i = 0; i < 5; i++)
      await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: `page-${i}` }));
    const first = await h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 3 }));
    const rest = await h.cognito.send(
      new ListGroupsCommand({ UserPoolId: poolId, Limit: 60, NextToken: first.NextToken }),
    );
    const error = await errorOf(h.cognito.send(new ListGroupsCommand({ UserPoolId: poolId, Limit: 61 })));
    expect(first.Groups).toHaveLength(3);
    expect(new Set([...first.Groups!, ...rest.Groups!].map((g) => g.GroupName)).size).toBe(
      first.Groups!.length + rest.Groups!.length,
    );
    expect(error.name).toBe('InvalidParameterException');
  });

  it('adds, lists and removes memberships both ways', async () => {
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Precedence: 1 }));
    await h.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Username: 'user001' }),
    );
    await h.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Username: 'user002' }),
    );
    await h.cognito.send(
      new AdminRemoveUserFromGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Username: 'user002' }),
    );
    const members = await h.cognito.send(
      new ListUsersInGroupCommand({ UserPoolId: poolId, GroupName: 'admins' }),
    );
    const groups = await h.cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'user001' }),
    );
    expect(members.Users!.map((u) => u.Username)).toEqual(['user001']);
    expect(groups.Groups!.map((g) => g.GroupName)).toEqual(['admins']);
  });

  it('DeleteGroup removes the group from its members', async () => {
    await h.cognito.send(new CreateGroupCommand({ UserPoolId: poolId, GroupName: 'temp' }));
    await h.cognito.send(
      new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'temp', Username: 'user003' }),
    );
    await h.cognito.send(new DeleteGroupCommand({ UserPoolId: poolId, GroupName: 'temp' }));
    const groups = await h.cognito.send(
      new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'user003' }),
    );
    expect(groups.Groups).toEqual([]);
  });

  it('AdminAddUserToGroup answers UserNotFoundException for an unknown user', async () => {
    const error = await errorOf(
      h.cognito.send(
        new AdminAddUserToGroupCommand({ UserPoolId: poolId, GroupName: 'admins', Username: 'ghost' }),
      ),
    );
    expect(error.name).toBe('UserNotFoundException');
  });
});
