import type { z } from 'zod';

interface Inspectable {
  shape?: Record<string, unknown>;
  _zod?: { def?: { innerType?: unknown; in?: unknown } };
}

/**
 * The keys an object schema accepts at `path`, seen through `.default()`, `.optional()`,
 * `.refine()` and pipes: what an unknown key is compared with for a "did you mean".
 */
export const knownKeysAt = (schema: z.ZodType, path: readonly string[]): string[] => {
  let node: unknown = schema;
  const unwrap = () => {
    for (let def = (node as Inspectable)._zod?.def; def && !(node as Inspectable).shape;) {
      const inner = def.innerType ?? def.in;
      if (!inner) break;
      node = inner;
      def = (node as Inspectable)._zod?.def;
    }
  };
  unwrap();
  for (const key of path) {
    node = (node as Inspectable).shape?.[key];
    if (!node) return [];
    unwrap();
  }
  return Object.keys((node as Inspectable).shape ?? {});
};

/** Edit distance (insert, delete, substitute, swap two neighbours). */
const distance = (a: string, b: string): number => {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[i - 2]![j - 2]! + 1);
      }
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
};

/** The candidate a typo most likely meant: same letters in another case, or at most two edits away. */
export const closest = (word: string, candidates: readonly string[]): string | undefined => {
  const lower = word.toLowerCase();
  let best: { candidate: string; score: number } | undefined;
  for (const candidate of candidates) {
    const score = distance(lower, candidate.toLowerCase());
    if (score <= Math.min(2, Math.floor(candidate.length / 3)) && (!best || score < best.score)) {
      best = { candidate, score };
    }
  }
  return best?.candidate;
};
