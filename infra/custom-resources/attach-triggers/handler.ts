import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { attachTriggers, type AttachTriggersEvent } from './attach-triggers';

const cognito = new CognitoIdentityProviderClient({});

/** onEvent handler of the ExistingPoolTriggers custom resource (CDK Provider framework). */
export const handler = (event: AttachTriggersEvent) => attachTriggers(event, cognito);
