import type { z } from 'zod';

/**
 * One line per zod issue, `path.to.field: message` (`(root)` for the value itself), optionally
 * under `prefix`: how configuration and input errors name every bad field.
 */
export const formatIssues = (issues: readonly z.core.$ZodIssue[], prefix?: string): string[] =>
  issues.map((issue) => {
    const path = [...(prefix === undefined ? [] : [prefix]), ...issue.path.map(String)];
    return `${path.length > 0 ? path.join('.') : '(root)'}: ${issue.message}`;
  });
