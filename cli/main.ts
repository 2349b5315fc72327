import { createInterface } from 'node:readline/promises';
import { systemClock } from '#shared/clock';
import { runCli } from './index';
import { warnIfOldNode } from './node-version';

warnIfOldNode(process.version, process.env, process.stderr);

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // A second Ctrl-C means "now": do not wait for a graceful shutdown that is stuck.
  if (interrupts > 1) process.exit(130);
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());

// `cognito-migrate stragglers | head -5`: the reader has what it wanted. A closed pipe ends the
// command quietly and successfully, as it does for cat or grep, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
}

const confirm = async (question: string): Promise<boolean> => {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
};

void runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  clock: systemClock,
  signal: controller.signal,
  ...(process.stdin.isTTY ? { confirm } : {}),
}).then((code) => {
  process.exitCode = code;
  // Open sockets (keep-alive agents, a stopped stack's timers) must not hold the process.
  setImmediate(() => process.exit(code));
});
