import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** moto_server on PATH, or undefined: tests that need it then report themselves skipped. */
export const motoServerPath = (): string | undefined =>
  (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => join(dir, 'moto_server'))
    .find((path) => existsSync(path));

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

export interface Moto {
  endpoint: string;
  /** Every resource moto holds, as its /moto-api/data.json dumps it. */
  snapshot(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts moto_server on 127.0.0.1 and a free port, in its own process group (stop() ends the
 * group), and polls until it answers.
 */
export const startMoto = async (path: string): Promise<Moto> => {
  const port = await freePort();
  const child: ChildProcess = spawn(path, ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: 'ignore',
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGTERM');
    await exited;
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    endpoint,
    snapshot: async () => (await fetch(`${endpoint}/moto-api/data.json`)).text(),
    stop,
  };
};
