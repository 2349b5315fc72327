import { TriggerFailure } from './triggers';
import type { Input, OpContext } from './context';
import type { Attributes, PoolRecord } from './types';

export interface PreSignUpResponse {
  autoConfirmUser?: boolean;
  autoVerifyEmail?: boolean;
  autoVerifyPhone?: boolean;
}

const record = (list: unknown): Record<string, string> => {
  if (!Array.isArray(list)) return (list as Record<string, string>) ?? {};
  return Object.fromEntries((list as { Name: string; Value: string }[]).map((a) => [a.Name, a.Value]));
};

/**
 * Calls the PreSignUp trigger (PreSignUp_SignUp or PreSignUp_AdminCreateUser). A failure
 * refuses the sign-up: UserLambdaValidationException "PreSignUp failed with error ...".
 */
export async function runPreSignUp(
  ctx: OpContext,
  pool: PoolRecord,
  triggerSource: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser' | 'PreSignUp_ExternalProvider',
  userName: string,
  attributes: Attributes,
  input: Input,
  clientId: string | undefined,
): Promise<PreSignUpResponse> {
  try {
    const response = await ctx.triggers.invoke({
      pool,
      trigger: 'PreSignUp',
      triggerSource,
      userName,
      clientId,
      region: ctx.region,
      request: {
        userAttributes: { ...attributes },
        validationData: record(input.ValidationData),
        clientMetadata: input.ClientMetadata ?? {},
      },
    });
    return (response ?? {}) as PreSignUpResponse;
  } catch (error) {
    throw error instanceof TriggerFailure ? error.toCognitoError() : error;
  }
}
