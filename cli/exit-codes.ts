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

/** What went wrong, as one line: what happened, what to do, and the exit code. */
export interface Failure {
  exitCode: ExitCode;
  message: string;
  hint?: string;
}

/** The first line of a message, with a JSON payload (an SDK's raw body) reduced to its message. */
const oneLine = (text: string): string => {
  const first = text.trim().split('\n')[0] ?? '';
  if (first.startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as { errorMessage?: string; message?: string; Message?: string };
      return parsed.errorMessage ?? parsed.message ?? parsed.Message ?? first;
    } catch {
      return first;
    }
  }
  return first;
};

const withCode = (error: unknown): string | undefined => {
  const err = error as { code?: string; cause?: unknown } | undefined;
  return err?.code ?? (err?.cause ? withCode(err.cause) : undefined);
};

/** The exit code, one-line message and hint for any error a command lets escape. */
export const describeFailure = (error: unknown): Failure => {
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
  }
  if (error instanceof CommanderError) return { exitCode: EXIT.USAGE, message: '' };
  const err = error instanceof Error ? error : new Error(String(error));
  const firstLine = oneLine(err.message) || err.name;
  if (error instanceof ConfigError) {
    return {
      exitCode: EXIT.USAGE,
      message: err.message
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean)
        .join(' '),
      ...(error.hint !== undefined
        ? error.hint
          ? { hint: error.hint }
          : {}
        : {
            hint: 'pass --config FILE (or set COGNITO_MIGRATE_CONFIG_FILE), or use --local with a running `cognito-migrate local start`',
          }),
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
  // The SDK's wrapper of a socket error keeps the errno only in its message.
  const code =
    withCode(err) ?? CODE_OF_NETWORK_ERRORS.find((c) => new RegExp(`\\b${c}\\b`).test(err.message));
  if (code && CODE_OF_NETWORK_ERRORS.includes(code)) {
    return {
      exitCode: EXIT.OPERATIONAL,
      message: `cannot reach the endpoint (${code}): ${firstLine.replace(/^AWS SDK error wrapper for /, '')}`,
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
  return {
    exitCode: EXIT.OPERATIONAL,
    message: `${err.name}: ${firstLine}`,
    hint: 'rerun with --debug for the stack trace',
  };
};

/**
 * The one error presenter: a single `error:` line saying what happened and what to do (with the
 * table, file or run concerned in the message), and the stack only with `--debug`.
 */
export const presentFailure = (
  error: unknown,
  stderr: { write(chunk: string): unknown },
  options: { debug?: boolean } = {},
): ExitCode => {
  const failure = describeFailure(error);
  if (failure.message) {
    stderr.write(`error: ${failure.message}${failure.hint ? `; ${failure.hint}` : ''}\n`);
  }
  if (options.debug && error instanceof Error && !(error instanceof CommanderError)) {
    stderr.write(`${error.stack ?? String(error)}\n`);
    if (error.cause instanceof Error)
      stderr.write(`caused by: ${error.cause.stack ?? String(error.cause)}\n`);
  }
  return failure.exitCode;
};
