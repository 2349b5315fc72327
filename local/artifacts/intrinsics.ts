/** What a reference resolves to locally: the physical id (`Ref`) and attributes (`Fn::GetAtt`). */
export interface LocalResource {
  ref: string;
  attributes?: Record<string, string>;
}

export interface ResolveContext {
  region: string;
  accountId: string;
  stackName: string;
  /** Local physical values by logical id. */
  resources: Record<string, LocalResource>;
}

const PSEUDO: Record<string, (ctx: ResolveContext) => string> = {
  'AWS::Region': (ctx) => ctx.region,
  'AWS::AccountId': (ctx) => ctx.accountId,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (ctx) => ctx.stackName,
};

const lookup = (ctx: ResolveContext, name: string): string => {
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo(ctx);
  const resource = ctx.resources[name];
  if (!resource) throw new Error(`No local value for { "Ref": "${name}" }; map it in the artifact stack`);
  return resource.ref;
};

const attribute = (ctx: ResolveContext, id: string, attr: string): string => {
  const value = ctx.resources[id]?.attributes?.[attr];
  if (value === undefined) {
    throw new Error(
      `No local value for { "Fn::GetAtt": ["${id}", "${attr}"] }; map it in the artifact stack`,
    );
  }
  return value;
};

const asString = (value: unknown): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`Expected a string, got ${JSON.stringify(value)}`);
};

/**
 * Resolves the CloudFormation intrinsic functions CDK writes into the properties this project
 * reads (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split) against local values. An
 * unknown reference is an error, not a silent placeholder.
 */
export const resolveIntrinsics = (value: unknown, ctx: ResolveContext): unknown => {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, ctx));
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref':
        return lookup(ctx, asString(arg));
      case 'Fn::GetAtt': {
        const [id, attr] = Array.isArray(arg) ? arg : asString(arg).split('.');
        return attribute(ctx, asString(id), asString(attr));
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown[]];
        return (resolveIntrinsics(parts, ctx) as unknown[]).map(asString).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        return (resolveIntrinsics(list, ctx) as unknown[])[Number(resolveIntrinsics(index, ctx))];
      }
      case 'Fn::Split': {
        const [separator, text] = arg as [string, unknown];
        return asString(resolveIntrinsics(text, ctx)).split(separator);
      }
      case 'Fn::Sub': {
        const [template, vars]: [unknown, Record<string, unknown>] = Array.isArray(arg)
          ? (arg as [string, Record<string, unknown>])
          : [arg, {}];
        return asString(template).replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          if (name in vars) return asString(resolveIntrinsics(vars[name], ctx));
          const [id, attr] = name.split('.');
          return attr ? attribute(ctx, id!, attr) : lookup(ctx, name);
        });
      }
      default:
        break;
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolveIntrinsics(v, ctx)]));
};
