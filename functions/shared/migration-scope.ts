/**
 * Which source users belong to this target: those whose `attribute` holds one of `values`.
 * Absent, every source user does. Several targets can migrate from one source, each with its own
 * scope and table; a user outside every scope is simply nobody's.
 */
export interface MigrationScope {
  /** Any source attribute, standard or custom (`custom:tenant`), as ListUsers and AdminGetUser name it. */
  attribute: string;
  /** The values that put a user in scope, compared exactly (Cognito attribute values are case-sensitive). */
  values: readonly string[];
}

/**
 * Whether a source user with these attributes is in scope. A user without the attribute is out:
 * a scope names who is in, and an untagged user has not been assigned to this target.
 */
export const inScope = (
  attributes: Readonly<Record<string, string | undefined>>,
  scope: MigrationScope | undefined,
): boolean => {
  if (!scope) return true;
  const value = attributes[scope.attribute];
  return value !== undefined && scope.values.includes(value);
};

/** `inScope` over a ListUsers / AdminCreateUser attribute list (`[{ Name, Value }]`). */
export const inScopeList = (
  attributes: readonly { Name?: string; Value?: string }[] | undefined,
  scope: MigrationScope | undefined,
): boolean =>
  !scope || inScope({ [scope.attribute]: attributes?.find((a) => a.Name === scope.attribute)?.Value }, scope);

/** How a scope reads in a report: `custom:tenant = acme | globex`. */
export const describeScope = (scope: MigrationScope): string =>
  `${scope.attribute} = ${scope.values.join(' | ')}`;
