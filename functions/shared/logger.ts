import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Keys whose values must never reach a log line, matched at any depth. Matching is on the key,
 * so secrets must travel under their usual names (password, *Token, Session, SECRET_HASH...).
 */
const SECRET_KEY_PATTERNS: readonly RegExp[] = [
  /pass(word)?/i,
  /token$/i,
  /^tokens$/i,
  /^session$/i,
  /secret/i,
  /^authorization$/i,
  /^code$/i,
  /^(access|id|refresh)token$/i,
  /^authenticationresult$/i,
  /^clientmetadata$/i,
  /^validationdata$/i,
  /^authparameters$/i,
  /^challengeresponses$/i,
];

/** True when a log key names a secret (e.g. `password`, `RefreshToken`, `SECRET_HASH`). */
export const isSecretKey = (key: string): boolean => SECRET_KEY_PATTERNS.some((pattern) => pattern.test(key));

/**
 * JSON replacer that drops secret-named keys wherever they appear. Powertools calls it for
 * every key of the serialised log item, nested objects and arrays included.
 */
export const redactingReplacer = (key: string, value: unknown): unknown => {
  if (key !== '' && isSecretKey(key)) return undefined;
  if (typeof value === 'bigint') return value.toString();
  return value;
};

export type AppLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'appendKeys'>;

export interface LoggerOptions {
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
}

/** A Powertools Logger whose output never contains secret-named keys. */
export const createLogger = (serviceName: string, options: LoggerOptions = {}): Logger =>
  new Logger({
    serviceName,
    logLevel: options.logLevel ?? 'INFO',
    jsonReplacerFn: redactingReplacer,
  });

/** A logger that drops everything; for tests and for the CLI's quiet mode. */
export const silentLogger: AppLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  appendKeys: () => undefined,
};
