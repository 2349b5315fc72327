import { silentLogger, type AppLogger } from '#shared/logger';

/** Everything written to stdout, stderr and the console while `work` ran, one entry per write. */
export interface CapturedOutput<T> {
  lines: string[];
  result: { ok: true; value: T } | { ok: false; error: unknown };
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Runs `work` with process.stdout/stderr and every console method captured (Powertools writes
 * through its own Console on process.stdout, jest's console through console.*), then restores them.
 */
export const captureOutput = async <T>(work: () => Promise<T>): Promise<CapturedOutput<T>> => {
  const lines: string[] = [];
  const write = (chunk: unknown) => {
    lines.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'));
    return true;
  };
  const spies = [
    jest.spyOn(process.stdout, 'write').mockImplementation(write),
    jest.spyOn(process.stderr, 'write').mockImplementation(write),
    ...CONSOLE_METHODS.map((level) =>
      jest.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '));
      }),
    ),
  ];
  try {
    return { lines, result: { ok: true, value: await work() } };
  } catch (error) {
    return { lines, result: { ok: false, error } };
  } finally {
    spies.forEach((spy) => spy.mockRestore());
  }
};

/** JWTs (access and ID tokens) and the emulator's opaque refresh tokens (24 + 48 random bytes, base64url). */
export const TOKEN_PATTERNS = [/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/, /[\w-]{32}\.[\w-]{64}/];

/** A logger that forwards to `target` while one is set and drops everything otherwise. */
export const switchableLogger = () => {
  let target: AppLogger = silentLogger;
  type Log = (...args: unknown[]) => void;
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error'): Log =>
    (...args) =>
      (target[level] as Log)(...args);
  const logger: AppLogger = {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
    appendKeys: (keys) => target.appendKeys(keys),
  };
  return { logger, use: (next: AppLogger | undefined) => void (target = next ?? silentLogger) };
};
