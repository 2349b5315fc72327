import type { TargetSchema } from '#shared/attribute-mapping';
import { refuse } from './refusal';

/** How Cognito will name the new user, and attributes the username rules add. */
export interface TargetIdentity {
  /** The username the target user will have (for the migration record). */
  targetUsername: string;
  /** Attributes to merge over the mapped ones (`username`, or the alias the user typed). */
  attributes: Record<string, string>;
}

const SIGN_IN_ATTRIBUTES = ['email', 'phone_number', 'preferred_username'] as const;

const same = (a: string | undefined, b: string): boolean =>
  a !== undefined && a.toLowerCase() === b.toLowerCase();

/**
 * Applies Cognito's UserMigration username rules:
 * - pool with username attributes (email or phone as username): the typed value must be one of
 *   them and goes into that attribute; Cognito generates the username (a UUID);
 * - pool with alias attributes, user typed an alias: the typed value goes into the alias
 *   attribute and `username` is set explicitly to the source username;
 * - otherwise the user typed the username, and the new user is named exactly what was typed
 *   (AWS accepts only the request's userName, the sub or preferred_username there).
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
    const kind = schema.usernameAttributes.find((name) => same(sourceAttributes[name], typed));
    if (!kind) return refuse('TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE', schema.usernameAttributes.join(','));
    return { targetUsername: typed, attributes: { [kind]: typed } };
  }
  if (same(sourceUsername, typed)) return { targetUsername: typed, attributes: {} };
  const alias = SIGN_IN_ATTRIBUTES.find(
    (name) => schema.aliasAttributes.includes(name) && same(sourceAttributes[name], typed),
  );
  if (!alias) return refuse('TYPED_NAME_NOT_A_SIGN_IN_ATTRIBUTE', 'no alias attribute matches');
  return { targetUsername: sourceUsername, attributes: { [alias]: typed, username: sourceUsername } };
};
