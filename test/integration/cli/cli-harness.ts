import type { CliDeps } from '../../../cli/context';
import type { Connection } from '../../../cli/connection';
import { ManualClock } from '#shared/clock';

/** Captures what a command writes, for in-process runs of the program. */
export class Capture {
  text = '';
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  get lines(): string[] {
    return this.text.split('\n').filter((line) => line !== '');
  }
  /** The last line parsed as JSON: the `--json` contract. */
  lastJson<T = Record<string, unknown>>(): T {
    return JSON.parse(this.lines[this.lines.length - 1] ?? 'null') as T;
  }
}

export interface TestDeps extends CliDeps {
  stdout: Capture;
  stderr: Capture;
  controller: AbortController;
}

/** Deps for `runCli` with captured output, a manual clock and an abortable signal. */
export const testDeps = (overrides: Partial<CliDeps> & { connection?: Connection } = {}): TestDeps => {
  const controller = new AbortController();
  const { connection, ...rest } = overrides;
  return {
    stdout: new Capture(),
    stderr: new Capture(),
    env: {},
    cwd: process.cwd(),
    clock: new ManualClock(Date.UTC(2026, 5, 1, 12, 30)),
    signal: controller.signal,
    controller,
    ...(connection ? { connect: () => connection } : {}),
    ...rest,
  } as TestDeps;
};
