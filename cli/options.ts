import { InvalidArgumentError } from 'commander';

interface Range {
  min: number;
  max: number;
}

const describeRange = (kind: 'an integer' | 'a number', { min, max }: Range): string =>
  max === Number.MAX_SAFE_INTEGER || max === Infinity
    ? `${kind} of at least ${min}`
    : `${kind} from ${min} to ${max}`;

/**
 * Commander argument parsers that refuse what a command cannot honour, before the action runs.
 * Commander names the option in its message ("option '--limit <n>' argument 'abc' is invalid");
 * the parser adds the accepted range. Without them `Number('abc')` is NaN, and NaN or 0 silently
 * meant "no limit", "default" or a loop that never advanced.
 */
export const integerIn =
  (range: Range) =>
  (value: string): number => {
    const n = /^[+-]?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < range.min || n > range.max) {
      throw new InvalidArgumentError(`Expected ${describeRange('an integer', range)}.`);
    }
    return n;
  };

/** A finite decimal number within `range`, ends included unless `exclusiveMin`. */
export const numberIn =
  (range: Range & { exclusiveMin?: boolean }) =>
  (value: string): number => {
    const n = value.trim() === '' ? Number.NaN : Number(value);
    const low = range.exclusiveMin ? n <= range.min : n < range.min;
    if (!Number.isFinite(n) || low || n > range.max) {
      const kind = range.exclusiveMin
        ? `a number greater than ${range.min}${range.max === Infinity ? '' : ` and at most ${range.max}`}`
        : describeRange('a number', range);
      throw new InvalidArgumentError(`Expected ${kind}.`);
    }
    return n;
  };

/** The ranges several commands share. */
export const positiveInteger = integerIn({ min: 1, max: Number.MAX_SAFE_INTEGER });
