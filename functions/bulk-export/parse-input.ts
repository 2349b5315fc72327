import type { z } from 'zod';
import { InvalidInputError } from '#shared/errors';
import { formatIssues } from '#shared/zod-issues';

/** Validates a task's input; every problem is named in one InvalidInputError. */
export const parseInput = <S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = formatIssues(result.error.issues);
  throw new InvalidInputError(`Invalid ${what}: ${issues.join('; ')}`);
};
