import { SingleBar, Presets } from 'cli-progress';

/** Where a command writes; `process.stdout` in the real CLI, a buffer in tests. */
export interface Writer {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

/** A progress display: a cli-progress bar on a terminal, nothing otherwise. */
export interface Progress {
  update(value: number, total?: number): void;
  stop(): void;
}

const noProgress: Progress = { update: () => undefined, stop: () => undefined };

/**
 * Human output or machine output, never both: with `--json` only the JSON result reaches
 * stdout (one line, so `| tail -1 | jq` works), and notes go to stderr.
 */
export class Output {
  constructor(
    private readonly stdout: Writer,
    private readonly stderr: Writer,
    readonly json: boolean,
  ) {}

  /** True when a person is watching: a terminal and no `--json`. */
  get interactive(): boolean {
    return !this.json && this.stdout.isTTY === true;
  }

  /** A line for people; dropped with `--json`. */
  line(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** A note about what is happening; stderr, so it never mixes into a JSON result or a CSV. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** The command's result: one JSON line with `--json`, the human rendering otherwise. */
  result(data: unknown, human: () => string | string[]): void {
    if (this.json) {
      this.stdout.write(`${JSON.stringify(data)}\n`);
      return;
    }
    const text = human();
    this.stdout.write(`${Array.isArray(text) ? text.join('\n') : text}\n`);
  }

  /** Raw text to stdout whatever the mode (CSV rows, NDJSON). */
  raw(text: string): void {
    this.stdout.write(text);
  }

  /** A progress bar on a terminal only; a no-op under `--json`, in pipes and in tests. */
  progress(label: string, total: number): Progress {
    if (!this.interactive) return noProgress;
    const bar = new SingleBar(
      {
        format: `${label} [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}`,
        stream: this.stdout as NodeJS.WriteStream,
        hideCursor: true,
        etaBuffer: 50,
      },
      Presets.shades_classic,
    );
    bar.start(Math.max(total, 1), 0);
    return {
      update: (value, newTotal) => {
        if (newTotal !== undefined) bar.setTotal(Math.max(newTotal, 1));
        bar.update(value);
      },
      stop: () => bar.stop(),
    };
  }
}

/** Left-aligned columns; the first row is the header. */
export const formatTable = (rows: readonly (readonly string[])[]): string[] => {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
};

/** `3 d 4 h`, `12 min`, `45 s`: enough precision for a person planning a window. */
export const formatDuration = (ms: number): string => {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
};

export const percent = (part: number, whole: number): string =>
  whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;
