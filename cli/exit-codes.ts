import { CommanderError } from 'commander';
import {
  ConfigError,
  InvalidInputError,
  LeaseHeldError,
  LeaseStaleError,
  RunNotFoundError,
  RunSupersededError,
} from '#shared/errors';

/**
 * The exit codes every command documents:
 * 0 ok, 1 a blocker was found or an invariant failed, 2 usage or configuration error,
 * 3 AWS or operational error (unreachable endpoint, access denied, throttled, table down).
 */
export const EXIT = { OK: 0, FAILED: 1, USAGE: 2, OPERATIONAL: 3 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A command's deliberate exit: a non-zero code, and optionally one error line with a hint. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message = '',
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const CODE_OF_NETWORK_ERRORS = ['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EHOSTUNREACH'];

/** The exit code, one-line message and hint for any error a command lets escape. */
export const describeFailure = (error: unknown): { exitCode: ExitCode; message: string; hint?: string } => {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof CommanderError) return { exitCode: EXIT.USAGE, message: '' };
  const err = error instanceof Error ? error : new Error(String(error));
  const firstLine = err.message.split('\n')[0] ?? err.name;
  if (error instanceof ConfigError) {
    return {
      exitCode: EXIT.USAGE,
      message: err.message,
      hint: 'pass --config FILE (or set COGNITO_MIGRATE_CONFIG_FILE), or use --local with a running `cognito-migrate local start`',
    };
  }
  // Refused before anything changed: another writer holds the lease (named in the message).
  if (error instanceof LeaseHeldError) {
    return {
      exitCode: EXIT.USAGE,
      message: firstLine,
      hint: 'wait for it to end, then run the command again',
    };
  }
  if (error instanceof LeaseStaleError) {
    return {
      exitCode: EXIT.USAGE,
      message: firstLine,
      hint: 'make sure that holder is really gone, then run the command again with --take-over',
    };
  }
  if (
    error instanceof InvalidInputError ||
    error instanceof RunNotFoundError ||
    error instanceof RunSupersededError
  ) {
    return { exitCode: EXIT.USAGE, message: firstLine };
  }
  const code = (err as { code?: string }).code ?? (err.cause as { code?: string } | undefined)?.code;
  if (code && CODE_OF_NETWORK_ERRORS.includes(code)) {
    return {
      exitCode: EXIT.OPERATIONAL,
      message: `cannot reach the endpoint (${code}): ${firstLine}`,
      hint: 'check the endpoints in your configuration; with --local, is `cognito-migrate local start` still running?',
    };
  }
  if (err.name === 'CredentialsProviderError') {
    return {
      exitCode: EXIT.OPERATIONAL,
      message: `no AWS credentials: ${firstLine}`,
      hint: 'set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY for the target account',
    };
  }
  if (['AccessDeniedException', 'NotAuthorizedException', 'UnrecognizedClientException'].includes(err.name)) {
    return {
      exitCode: EXIT.OPERATIONAL,
      message: `${err.name}: ${firstLine}`,
      hint: 'the credentials in use lack a permission the command needs; see the README for the operator policy',
    };
  }
  return { exitCode: EXIT.OPERATIONAL, message: `${err.name}: ${firstLine}` };
};
