import type { LambdaConfigType } from '@aws-sdk/client-cognito-identity-provider';

/** The trigger slots the migration occupies, by LambdaConfig key, as function ARNs. */
export interface Triggers {
  UserMigration: string;
  PreSignUp: string;
  PreTokenGeneration: string;
  PostAuthentication: string;
}

export const TRIGGER_SLOTS = [
  'UserMigration',
  'PreSignUp',
  'PreTokenGeneration',
  'PostAuthentication',
] as const;

/** A slot already holds another function: attaching would silently disable the pool owner's trigger. */
export class TriggerSlotTakenError extends Error {
  constructor(readonly slots: string[]) {
    super(
      `The pool already has ${slots.join(', ')} trigger(s) of another function; the migration needs these ` +
        'slots. Remove them (or chain them from the migration functions) and deploy again.',
    );
    this.name = 'TriggerSlotTakenError';
  }
}

const slotValue = (config: LambdaConfigType, slot: (typeof TRIGGER_SLOTS)[number]): string | undefined =>
  slot === 'PreTokenGeneration'
    ? (config.PreTokenGenerationConfig?.LambdaArn ?? config.PreTokenGeneration)
    : config[slot];

/**
 * `current` with the migration's triggers set and everything else (other triggers, custom
 * senders, KMS key) untouched. Refuses to replace another function's trigger.
 */
export const withTriggers = (current: LambdaConfigType | undefined, triggers: Triggers): LambdaConfigType => {
  const config: LambdaConfigType = { ...current };
  const taken = TRIGGER_SLOTS.filter((slot) => {
    const value = slotValue(config, slot);
    return value !== undefined && value !== triggers[slot];
  });
  if (taken.length > 0) throw new TriggerSlotTakenError(taken);
  return {
    ...config,
    UserMigration: triggers.UserMigration,
    PreSignUp: triggers.PreSignUp,
    PostAuthentication: triggers.PostAuthentication,
    // The V1 event (the group-sync contract). Both fields are set because DescribeUserPool
    // reports both and Cognito rejects a request where they disagree.
    PreTokenGeneration: triggers.PreTokenGeneration,
    PreTokenGenerationConfig: { LambdaVersion: 'V1_0', LambdaArn: triggers.PreTokenGeneration },
  };
};

/**
 * `current` without the migration's triggers: what the pool had before they were attached,
 * plus anything its owner changed since. A slot that now holds another function is left alone.
 */
export const withoutTriggers = (
  current: LambdaConfigType | undefined,
  triggers: Triggers,
): LambdaConfigType => {
  const config: LambdaConfigType = { ...current };
  for (const slot of TRIGGER_SLOTS) {
    if (slotValue(config, slot) !== triggers[slot]) continue;
    delete config[slot];
    if (slot === 'PreTokenGeneration') delete config.PreTokenGenerationConfig;
  }
  return config;
};
