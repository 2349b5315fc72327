import { readFileSync } from 'node:fs';
import { ConfigError } from './errors';

const UTF8_BOM = [0xef, 0xbb, 0xbf];
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-16 with a byte-order mark, or without one: NUL bytes beside ASCII, as a JSON file would hold. */
const looksUtf16 = (bytes: Uint8Array): boolean => {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return true;
  const sample = bytes.subarray(0, 64);
  let nulls = 0;
  for (const byte of sample) if (byte === 0) nulls += 1;
  return sample.length >= 2 && nulls >= sample.length / 4;
};

/**
 * Decodes a file's bytes as UTF-8, strictly: a UTF-8 byte-order mark is dropped (editors on
 * Windows write one), UTF-16 and invalid UTF-8 are named as such instead of reaching JSON.parse
 * as garbage or silently becoming U+FFFD inside a pool id or a table name.
 */
export const decodeUtf8 = (bytes: Uint8Array, what: string): string => {
  const hasBom = UTF8_BOM.every((byte, i) => bytes[i] === byte);
  const body = hasBom ? bytes.subarray(3) : bytes;
  if (!hasBom && looksUtf16(bytes)) {
    throw new ConfigError(`${what} is UTF-16, not UTF-8; save it as UTF-8`, [what]);
  }
  try {
    return strictUtf8.decode(body);
  } catch {
    // Where: the line of the first byte that is not UTF-8, for an editor's "go to line".
    const valid = new TextDecoder('utf-8').decode(body).split('\uFFFD')[0] ?? '';
    const line = valid.split('\n').length;
    throw new ConfigError(`${what} is not valid UTF-8 (line ${line}); save it as UTF-8`, [what]);
  }
};

/** Reads a text file strictly as UTF-8 (see decodeUtf8); a file that cannot be read is a ConfigError. */
export const readTextFile = (path: string, what: string): string => {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new ConfigError(`Cannot read ${what} "${path}": ${(error as Error).message}`, [path]);
  }
  return decodeUtf8(bytes, `${what} "${path}"`);
};
