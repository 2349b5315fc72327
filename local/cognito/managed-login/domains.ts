import { invalidParameter, resourceNotFound } from '../errors';
import { domainOf, managedLoginState } from './state';
import type { Operation } from '../context';

// A prefix domain: lowercase letters, digits and hyphens, not starting or ending with a hyphen.
const PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * CreateUserPoolDomain (prefix domains only). The emulator serves managed login for every pool
 * with a domain at its own root (`/oauth2/authorize`, `/login`, ...), telling pools apart by
 * `client_id`, so the domain only switches the endpoints on.
 */
const CreateUserPoolDomain: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const domain = input.Domain;
  if (input.CustomDomainConfig !== undefined)
    throw invalidParameter('Custom domains are not supported by the emulator; use a prefix domain.');
  if (
    typeof domain !== 'string' ||
    !PREFIX.test(domain) ||
    domain.includes('cognito') ||
    domain.includes('aws')
  )
    throw invalidParameter(`Domain ${String(domain)} is not a valid domain prefix.`);
  const state = managedLoginState(ctx.store);
  if (state.domains.has(domain)) throw invalidParameter('Domain already exists.');
  if (domainOf(state, pool.id))
    throw invalidParameter(`User pool ${pool.id} already has a domain configured.`);
  state.domains.set(domain, pool.id);
  return { ManagedLoginVersion: input.ManagedLoginVersion ?? 1 };
};

const DescribeUserPoolDomain: Operation = (input, ctx) => {
  const state = managedLoginState(ctx.store);
  const poolId = typeof input.Domain === 'string' ? state.domains.get(input.Domain) : undefined;
  // AWS answers an unknown domain with an empty description, not an error.
  if (!poolId) return { DomainDescription: {} };
  return {
    DomainDescription: {
      UserPoolId: poolId,
      AWSAccountId: '000000000000',
      Domain: input.Domain,
      CloudFrontDistribution: '127.0.0.1',
      Version: '1',
      Status: 'ACTIVE',
      ManagedLoginVersion: 1,
    },
  };
};

const DeleteUserPoolDomain: Operation = (input, ctx) => {
  const pool = ctx.store.pool(input.UserPoolId);
  const state = managedLoginState(ctx.store);
  if (state.domains.get(String(input.Domain)) !== pool.id)
    throw resourceNotFound(`Domain ${String(input.Domain)} does not exist in user pool ${pool.id}.`);
  state.domains.delete(String(input.Domain));
  return {};
};

export const domainOperations: Record<string, Operation> = {
  CreateUserPoolDomain,
  DescribeUserPoolDomain,
  DeleteUserPoolDomain,
};
