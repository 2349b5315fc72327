import type { z } from 'zod';
import { InvalidInputError } from '#shared/errors';

/** Validates a task's input; every problem is named in one InvalidInputError. */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  throw new InvalidInputError(`Invalid ${what}: ${issues.join('; ')}`);
};
