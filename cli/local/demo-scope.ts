import { SignUpCommand, type UserType } from '@aws-sdk/client-cognito-identity-provider';
import { describeScope, inScopeList, type MigrationScope } from '#shared/migration-scope';
import type { UserRecord } from '#shared/table/users';
import type { SeededUser } from '#local/seed';
import { forgotPassword, signIn, type SignInContext, type SignInResult } from './demo-sign-ins';

/** One of the demo's invariants (the shape of demo.ts's Invariant; not imported, to keep cli/ acyclic). */
export interface ScopeInvariant {
  name: string;
  ok: boolean;
  detail?: string;
}

/** What `demo --tenant` shows of the split: one tenant of a two-tenant source moves, the other does not. */
export interface ScopeReport {
  scope: string;
  /** Seeded source users in scope, and out of it. */
  inScope: number;
  outOfScope: number;
  /** Out-of-scope users the bulk sync counted (its run summary). */
  countedBySync: number;
  /** Out-of-scope users found in the target pool (must be 0). */
  inTarget: number;
  /** Sign-ins and password resets of out-of-scope users, and how many got an unknown user's answer. */
  signIns: { tried: number; answeredAsUnknown: number; unknownAnswer: string };
  /** What signing up in the target with an out-of-scope user's username and email gave. */
  signUp: string;
}

/** The two tenants of the demo's source, the given one first, and the scope that takes only it. */
export const demoTenants = (
  tenant: string,
): { tenants: string[]; scope: { attribute: string; values: string[] } } => ({
  tenants: [tenant, tenant === 'globex' ? 'acme' : 'globex'],
  scope: { attribute: 'custom:tenant', values: [tenant] },
});

/**
 * Checks the split after the campaign: no out-of-scope user in the table or the target, every
 * sign-in of theirs answered as an unknown user's (a made-up name, asked the same way), the sync's
 * count, and last (it adds a target user) a fresh sign-up with one of their usernames and emails.
 */
export const checkScope = async (
  ctx: SignInContext,
  input: {
    scope: MigrationScope;
    seeded: readonly SeededUser[];
    signIns: readonly SignInResult[];
    records: readonly UserRecord[];
    /** The target pool's users, listed before this check's sign-up probe. */
    targetUsers: readonly UserType[];
    countedBySync: number;
    seed: number;
  },
): Promise<{ report: ScopeReport; invariants: ScopeInvariant[] }> => {
  const { scope } = input;
  const outside = input.seeded.filter((u) => !scope.values.includes(u.tenant));
  const outsideNames = new Set(outside.map((u) => u.username.toLowerCase()));
  const recorded = input.records
    .filter((r) => outsideNames.has(r.username.toLowerCase()))
    .map((r) => r.username);
  const inTarget = input.targetUsers
    .filter((u) => !inScopeList(u.Attributes, scope) || outsideNames.has((u.Username ?? '').toLowerCase()))
    .map((u) => u.Username ?? '');

  const unknown = { username: `nobody-${input.seed}`, password: 'Unknown-Passw0rd!' };
  const unknownSignIn = await signIn(ctx, unknown.username, unknown.password);
  const unknownReset = await forgotPassword(ctx, unknown);
  const played = input.signIns.filter((s) => outsideNames.has(s.username.toLowerCase()));
  // Also one with the right password: a valid source password must not tell them apart either.
  const probe = outside.find((u) => u.kind === 'confirmed' && u.mfa === 'none');
  const probed = probe
    ? [
        {
          username: probe.username,
          scenario: 'password' as const,
          result: await signIn(ctx, probe.username, probe.password),
        },
      ]
    : [];
  const tried = [...played, ...probed];
  const unlike = tried.filter(
    (s) => s.result !== (s.scenario === 'forgot-password' ? unknownReset : unknownSignIn),
  );

  const newcomer = outside.find((u) => u.kind === 'confirmed' && u.emailVerified);
  let signUp = 'no out-of-scope user to try';
  if (newcomer) {
    signUp = await ctx.client
      .send(
        new SignUpCommand({
          ClientId: ctx.clientId,
          Username: newcomer.username,
          Password: 'Fresh-Start-Passw0rd!',
          UserAttributes: [{ Name: 'email', Value: newcomer.email }],
        }),
      )
      .then(
        () => 'allowed',
        (error: unknown) => (error as Error).name,
      );
  }
  const report: ScopeReport = {
    scope: describeScope(scope),
    inScope: input.seeded.length - outside.length,
    outOfScope: outside.length,
    countedBySync: input.countedBySync,
    inTarget: inTarget.length,
    signIns: {
      tried: tried.length,
      answeredAsUnknown: tried.length - unlike.length,
      unknownAnswer: unknownSignIn,
    },
    signUp,
  };
  const names = (list: string[]) =>
    list.length ? { detail: `${list.length}: ${list.slice(0, 5).join(', ')}` } : {};
  const invariants: ScopeInvariant[] = [
    {
      name: 'the bulk sync counted every out-of-scope source user',
      ok: input.countedBySync === outside.length,
      ...(input.countedBySync === outside.length
        ? {}
        : { detail: `${input.countedBySync} of ${outside.length}` }),
    },
    { name: 'no out-of-scope user has a record', ok: recorded.length === 0, ...names(recorded) },
    { name: 'no out-of-scope user is in the target', ok: inTarget.length === 0, ...names(inTarget) },
    {
      name: 'every out-of-scope sign-in was answered as an unknown user is',
      ok: unlike.length === 0 && tried.length > 0,
      ...names(unlike.map((s) => `${s.username} ${s.scenario}: ${s.result}`)),
    },
    {
      name: 'an out-of-scope user can sign up fresh in the target',
      ok: signUp === 'allowed',
      ...(signUp === 'allowed' ? {} : { detail: signUp }),
    },
  ];
  return { report, invariants };
};
