import type { TargetSchema } from '#shared/attribute-mapping';
import { refuse } from './refusal';

/** How Cognito will name the new user, and attributes the username rules add. */
export interface TargetIdentity {
  /** The username the target user will have (for the migration record). */
  targetUsername: string;
  /** Set when Cognito generates the username: `targetUsername` is then this attribute's value. */
  targetUsernameAttribute?: 'email' | 'phone_number';
  /** Attributes to merge over the mapped ones (`username`, or the alias the user typed). */
  attributes: Record<string, string>;
}

const SIGN_IN_ATTRIBUTES = ['email', 'phone_number', 'preferred_username'] as const;

const same = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Applies Cognito's UserMigration username rules, naming every new user by the source's
 * canonical username — never by the case the person typed (in a case-sensitive target a user
 * named `ALICE` would lock `alice` out for good):
 * - pool with username attributes (email or phone as username): the typed value must be one of
 *   them and goes into that attribute; Cognito generates the username (a UUID);
 * - pool with alias attributes, user typed an alias: the typed value goes into the alias
 *   attribute and `username` is set explicitly to the source username;
 * - the user typed the username in another case: `username` is set to the source username;
 * - otherwise the user typed the username exactly, and the new user is named that.
 * The source user's own values are compared case-insensitively: the target may be
 * case-insensitive while the source is not.
 */
export const targetIdentity = (
  typed: string,
  sourceUsername: string,
  sourceAttributes: Readonly<Record<string, string>>,
  schema: TargetSchema,
): TargetIdentity => {
  if (schema.usernameAttributes.length > 0) {
    const kind = schema.usernameAttributes.find(
      (name): name is 'email' | 'phone_number' =>
        (name === 'email' || name === 'phone_number') && same(sourceAttributes[name], typed),
    );
    if (!kind) return refuse('TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE', schema.usernameAttributes.join(','));
    return { targetUsername: typed, targetUsernameAttribute: kind, attributes: { [kind]: typed } };
  }
  if (typed === sourceUsername) return { targetUsername: typed, attributes: {} };
  if (same(sourceUsername, typed)) {
    return { targetUsername: sourceUsername, attributes: { username: sourceUsername } };
  }
  const alias = SIGN_IN_ATTRIBUTES.find(
    (name) => schema.aliasAttributes.includes(name) && same(sourceAttributes[name], typed),
  );
  if (!alias) return refuse('TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE', 'no alias attribute matches');
  return { targetUsername: sourceUsername, attributes: { [alias]: typed, username: sourceUsername } };
};
