import { invalidParameter } from './errors';
import { SEARCHABLE_ATTRIBUTES, type SearchableAttribute } from './user-index';

export interface UserFilter {
  attribute: SearchableAttribute;
  exact: boolean;
  value: string;
}

const FILTER = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/**
 * Parses a ListUsers `Filter`: `attr = "value"` or `attr ^= "value"` on a searchable attribute.
 * Anything else is an InvalidParameterException, as in AWS.
 */
export function parseFilter(filter: unknown): UserFilter | undefined {
  if (filter === undefined || filter === '') return undefined;
  if (typeof filter !== 'string') throw invalidParameter('Filter must be a string.');
  const match = FILTER.exec(filter);
  if (!match) throw invalidParameter('Error while parsing filter.');
  const [, attribute, op, raw] = match as unknown as [string, string, string, string];
  if (!(SEARCHABLE_ATTRIBUTES as readonly string[]).includes(attribute))
    throw invalidParameter(`Invalid search attribute: ${attribute}`);
  return {
    attribute: attribute as SearchableAttribute,
    exact: op === '=',
    value: raw.replace(/\\(.)/g, '$1'),
  };
}
