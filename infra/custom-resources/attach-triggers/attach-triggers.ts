import {
  DescribeUserPoolCommand,
  ResourceNotFoundException,
  UpdateUserPoolCommand,
  type CognitoIdentityProviderClient,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { withoutTriggers, withTriggers, type Triggers } from './lambda-config';
import { toUpdateUserPoolInput } from './update-user-pool-input';

/** The custom resource's properties (strings only: CloudFormation passes properties as strings). */
export interface AttachTriggersProperties {
  UserPoolId: string;
  Triggers: Triggers;
}

/** The event the CDK Provider framework hands the onEvent function. */
export interface AttachTriggersEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
  ResourceProperties: AttachTriggersProperties & { ServiceToken?: string };
  OldResourceProperties?: AttachTriggersProperties;
}

export interface AttachTriggersResult {
  PhysicalResourceId: string;
}

const physicalId = (userPoolId: string) => `${userPoolId}/migration-triggers`;

/** Reads the pool and writes it back with every setting as it was and only LambdaConfig changed. */
const updateLambdaConfig = async (
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  change: (current: LambdaConfigType | undefined) => LambdaConfigType,
): Promise<void> => {
  const { UserPool: pool } = await cognito.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId }));
  if (!pool) throw new Error(`DescribeUserPool returned no pool for ${userPoolId}`);
  await cognito.send(new UpdateUserPoolCommand(toUpdateUserPoolInput(pool, change(pool.LambdaConfig))));
};

/**
 * Attaches the migration triggers to an existing pool (Create), moves them (Update) and
 * detaches them again (Delete), changing nothing else about the pool.
 */
export const attachTriggers = async (
  event: AttachTriggersEvent,
  cognito: CognitoIdentityProviderClient,
): Promise<AttachTriggersResult> => {
  const { UserPoolId: userPoolId, Triggers: triggers } = event.ResourceProperties;
  if (event.RequestType === 'Delete') {
    try {
      await updateLambdaConfig(cognito, userPoolId, (current) => withoutTriggers(current, triggers));
    } catch (error) {
      // A pool deleted out of band has no triggers left to detach.
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    return { PhysicalResourceId: event.PhysicalResourceId ?? physicalId(userPoolId) };
  }
  const old = event.RequestType === 'Update' ? event.OldResourceProperties : undefined;
  await updateLambdaConfig(cognito, userPoolId, (current) => {
    // Moving functions within the same pool: free the old slots first so they do not count as taken.
    const base = old && old.UserPoolId === userPoolId ? withoutTriggers(current, old.Triggers) : current;
    return withTriggers(base, triggers);
  });
  // A new pool id gives a new physical id; CloudFormation then deletes the old one, which
  // detaches the triggers from the old pool.
  return { PhysicalResourceId: physicalId(userPoolId) };
};
