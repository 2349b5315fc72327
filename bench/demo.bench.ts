/**
 * `npm run demo` as a measurement: runs the demo in this process (the same runDemo the CLI runs,
 * 10,000 users by default) and prints, per phase, the wall time, the CPU seconds the whole
 * process spent (every thread), and on Linux the busiest thread's CPU; then the time after the
 * phases (the invariants, which complete every RESET_SENT user's reset), the peak RSS (sampled
 * every 50 ms) and whether every invariant held. The goal (issue 18): ≤ 60 s wall, ≤ 500 MB.
 *
 *   npx tsx bench/demo.bench.ts [--users 10000] [--seed 1]
 *
 * On a shared machine wall time shows contention; CPU seconds, and the busiest thread's share of
 * each phase, show the code. On an idle machine a phase takes at least max(busiest thread, all
 * its CPU / cores): the last column, summed in the total (a lower bound, not a measurement).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Output } from '../cli/output';
import { runDemo } from '../cli/local/demo';

const { values: args } = parseArgs({
  options: { users: { type: 'string', default: '10000' }, seed: { type: 'string', default: '1' } },
});

/** CPU seconds of each thread of this process (Linux /proc; empty elsewhere). */
const threadCpu = (): Map<string, number> => {
  const cpu = new Map<string, number>();
  try {
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      cpu.set(tid, (Number(fields[11]) + Number(fields[12])) / 100);
    }
  } catch {
    // Not Linux: the per-thread column stays empty.
  }
  return cpu;
};

const cpuSeconds = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

interface Mark {
  at: number;
  cpu: number;
  threads: Map<string, number>;
}

const mark = (): Mark => ({ at: performance.now(), cpu: cpuSeconds(), threads: threadCpu() });

const busiest = (from: Mark, to: Mark): number =>
  Math.max(0, ...[...to.threads].map(([tid, cpu]) => cpu - (from.threads.get(tid) ?? 0)));

/** A phase cannot take less than its busiest thread, nor less than all its CPU spread over every core. */
const idleEstimate = (from: Mark, to: Mark): number =>
  Math.max(busiest(from, to), (to.cpu - from.cpu) / cpus().length);

const main = async () => {
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const marks: { line: string; mark: Mark }[] = [];
  const start = mark();
  const stdout = {
    write: (chunk: string) => {
      // runDemo prints one line as each phase ends.
      for (const line of chunk.split('\n').filter(Boolean)) marks.push({ line, mark: mark() });
      return true;
    },
  };
  const report = await runDemo(
    { users: Number(args.users), seed: Number(args.seed) },
    new Output(stdout, { write: () => true }, false),
  );
  const end = mark();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage.rss());

  const rows: string[] = [];
  let previous = start;
  let estimate = 0;
  const row = (name: string, items: string, wall: number, from: Mark, to: Mark) => {
    estimate += idleEstimate(from, to);
    rows.push(
      `| ${name} | ${items} | ${wall.toFixed(1)} | ${(to.cpu - from.cpu).toFixed(1)} | ${busiest(from, to).toFixed(1)} | ${idleEstimate(from, to).toFixed(1)} |`,
    );
  };
  for (const [i, phase] of report.phases.entries()) {
    const at = marks[i]?.mark ?? end;
    row(phase.name, String(phase.items), phase.seconds, previous, at);
    previous = at;
  }
  row('after the phases (invariants, close)', '', (end.at - previous.at) / 1000, previous, end);
  const wall = (end.at - start.at) / 1000;
  console.log(`demo bench — ${report.users} users, seed ${report.seed}, ${process.version}`);
  console.log(
    `| phase | items | wall s | CPU s (all threads) | busiest thread CPU s | idle ${cpus().length}-core estimate s |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const line of rows) console.log(line);
  console.log(
    `| total | | ${wall.toFixed(1)} | ${(end.cpu - start.cpu).toFixed(1)} | | ${estimate.toFixed(1)} |`,
  );
  console.log(
    `peak RSS ${Math.round(peakRss / 2 ** 20)} MB (goal ≤ 500); wall ${wall.toFixed(1)} s (goal ≤ 60); invariants ${
      report.ok
        ? 'all hold'
        : `FAILED: ${report.invariants
            .filter((i) => !i.ok)
            .map((i) => i.name)
            .join('; ')}`
    }`,
  );
  if (!report.ok) process.exitCode = 1;
};

void main();
