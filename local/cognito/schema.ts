import { invalidParameter } from './errors';
import type { Attributes, PoolRecord, SchemaAttribute } from './types';

const STANDARD_STRING = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'address',
];

/** The standard attributes every pool has, as DescribeUserPool lists them. */
export function standardSchema(): SchemaAttribute[] {
  const attr = (Name: string, AttributeDataType: SchemaAttribute['AttributeDataType'], Mutable = true) => ({
    Name,
    AttributeDataType,
    DeveloperOnlyAttribute: false,
    Mutable,
    Required: false,
    ...(AttributeDataType === 'String'
      ? { StringAttributeConstraints: { MinLength: '0', MaxLength: '2048' } }
      : {}),
  });
  return [
    {
      ...attr('sub', 'String', false),
      Required: true,
      StringAttributeConstraints: { MinLength: '1', MaxLength: '2048' },
    },
    ...STANDARD_STRING.map((n) => attr(n, 'String')),
    attr('email_verified', 'Boolean'),
    attr('phone_number_verified', 'Boolean'),
    attr('updated_at', 'Number'),
    attr('identities', 'String'),
  ];
}

/** Builds a pool's schema from CreateUserPool's `Schema`: standard overrides and custom attributes. */
export function buildSchema(input: unknown): Map<string, SchemaAttribute> {
  const schema = new Map(standardSchema().map((a) => [a.Name, a]));
  if (input !== undefined && !Array.isArray(input)) throw invalidParameter('Schema must be a list.');
  for (const raw of (input ?? []) as Record<string, unknown>[]) {
    const name = String(raw.Name ?? '');
    if (!name) throw invalidParameter('Schema attribute Name is required.');
    const standard = schema.get(name);
    if (standard) {
      schema.set(name, {
        ...standard,
        Required: raw.Required === true,
        Mutable: raw.Mutable === undefined ? standard.Mutable : raw.Mutable === true,
      });
      continue;
    }
    const fullName = name.startsWith('custom:') ? name : `custom:${name}`;
    if (raw.Required === true)
      throw invalidParameter('Required custom attributes are not supported currently.');
    const type = (raw.AttributeDataType ?? 'String') as SchemaAttribute['AttributeDataType'];
    schema.set(fullName, {
      Name: fullName,
      AttributeDataType: type,
      DeveloperOnlyAttribute: raw.DeveloperOnlyAttribute === true,
      Mutable: raw.Mutable !== false,
      Required: false,
      ...(raw.StringAttributeConstraints
        ? {
            StringAttributeConstraints:
              raw.StringAttributeConstraints as SchemaAttribute['StringAttributeConstraints'],
          }
        : type === 'String'
          ? { StringAttributeConstraints: {} }
          : {}),
      ...(raw.NumberAttributeConstraints
        ? {
            NumberAttributeConstraints:
              raw.NumberAttributeConstraints as SchemaAttribute['NumberAttributeConstraints'],
          }
        : {}),
    });
  }
  return schema;
}

/** Whether writing `name` is refused outright (AWS manages these). */
const READ_ONLY = new Set(['sub', 'identities']);

export type WriteMode = 'create' | 'update';

/**
 * Checks attributes being written as AWS does: every name must be in the schema and writable,
 * immutable attributes may only be set at creation, values must fit the declared type.
 * Throws InvalidParameterException "Attributes did not conform to the schema: ...".
 */
export function checkAttributes(pool: PoolRecord, attributes: Attributes, mode: WriteMode): void {
  for (const [name, value] of Object.entries(attributes)) {
    const def = pool.schema.get(name);
    if (!def) throw schemaError(`${name}: Attribute does not exist in the schema.`);
    if (READ_ONLY.has(name)) throw schemaError(`${name}: Attribute cannot be updated.`);
    if (mode === 'update' && !def.Mutable) throw schemaError(`${name}: Attribute cannot be updated.`);
    if (typeof value !== 'string') throw schemaError(`${name}: Attribute value must be a string.`);
    if (def.AttributeDataType === 'Number' && value !== '' && Number.isNaN(Number(value)))
      throw schemaError(`${name}: Number expected.`);
    if (def.AttributeDataType === 'Boolean' && value !== 'true' && value !== 'false')
      throw schemaError(`${name}: Boolean expected.`);
    const max = Number(def.StringAttributeConstraints?.MaxLength ?? 2048);
    if (value.length > max) throw schemaError(`${name}: String is too long.`);
    if (name === 'phone_number' && value !== '' && !/^\+\d{4,15}$/.test(value))
      throw invalidParameter('Invalid phone number format.');
    if (name === 'email' && value !== '' && !/^[^@\s]+@[^@\s]+$/.test(value))
      throw invalidParameter('Invalid email address format.');
  }
}

/** Missing attributes the pool requires, for creation paths that enforce them. */
export function checkRequired(pool: PoolRecord, attributes: Attributes): void {
  for (const def of pool.schema.values()) {
    if (def.Required && def.Name !== 'sub' && !attributes[def.Name])
      throw schemaError(`${def.Name}: The attribute ${def.Name} is required`);
  }
}

const schemaError = (detail: string) =>
  invalidParameter(`Attributes did not conform to the schema: ${detail}`);

/** Converts the API's `[{Name, Value}]` into a record. */
export function fromAttributeList(list: unknown): Attributes {
  const out: Attributes = Object.create(null);
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) throw invalidParameter('UserAttributes must be a list.');
  for (const item of list as { Name?: unknown; Value?: unknown }[]) {
    if (typeof item?.Name !== 'string') throw invalidParameter('Attribute Name is required.');
    out[item.Name] = item.Value === undefined ? '' : String(item.Value);
  }
  return out;
}

export function toAttributeList(
  attributes: Attributes,
  only?: readonly string[],
): { Name: string; Value: string }[] {
  const names = only ? only.filter((n) => n in attributes) : Object.keys(attributes);
  return names.map((Name) => ({ Name, Value: attributes[Name]! }));
}
