import { createWriteStream, openSync } from 'node:fs';
import { once } from 'node:events';
import { isAbsolute, join } from 'node:path';
import { Command, Option } from 'commander';
import type { CommandFactory } from '../context';
import { CliError, EXIT } from '../exit-codes';
import { integerIn } from '../options';
import type { Writer } from '../output';
import { formatSubMapRow, parseSince, subMapHeader, subMapPages, type SubMapFormat } from '../export/sub-map';

interface SubMapOptions {
  format: SubMapFormat;
  since?: number;
  output?: string;
  pageSize: number;
}

/** A destination that may push back (a pipe, a file): the export waits for `drain`, holding one page at most. */
type Sink = Writer & { once?(event: 'drain', listener: () => void): unknown };

const write = async (sink: Sink, text: string): Promise<void> => {
  if (text && sink.write(text) === false && sink.once) {
    await new Promise<void>((resolve) => sink.once!('drain', resolve));
  }
};

/** Opens `--output` at once, so a bad path fails before the table is read (exit 2, one line). */
const openOutput = (path: string) => {
  try {
    const fd = openSync(path, 'w');
    return createWriteStream('', { fd });
  } catch (error) {
    throw new CliError(EXIT.USAGE, `cannot write "${path}": ${(error as Error).message}`);
  }
};

/** How often (at most) a progress line goes to stderr. */
const PROGRESS_EVERY_MS = 2_000;

/** `export sub-map`: the old-sub → new-sub map of every migrated user, streamed page by page. */
export const exportCommand: CommandFactory = (ctx) => {
  const command = new Command('export').description('export what the migration table knows');
  command
    .command('sub-map')
    .description(
      'every migrated user: sourceUsername, sourceSub, targetUsername, targetSub, migratedAt, method (streamed; progress on stderr)',
    )
    .addOption(new Option('--format <format>', 'output format').choices(['csv', 'jsonl']).default('csv'))
    .option('--since <iso>', 'only users migrated at or after this ISO 8601 date or date-time', parseSince)
    .option('--output <file>', 'write to this file instead of stdout')
    .option('--page-size <n>', 'users per table query (1 to 1000)', integerIn({ min: 1, max: 1000 }), 100)
    .action(async (opts: SubMapOptions, sub: Command) => {
      const output = ctx.output(sub);
      const path = opts.output
        ? isAbsolute(opts.output)
          ? opts.output
          : join(ctx.deps.cwd, opts.output)
        : undefined;
      await ctx.withConnection(sub, async ({ table }) => {
        const file = path ? openOutput(path) : undefined;
        const sink: Sink = file ?? (ctx.deps.stdout as Sink);
        const clock = ctx.deps.clock;
        let rows = 0;
        let read = 0;
        let withoutTargetSub = 0;
        let lastNote = clock.now();
        try {
          await write(sink, subMapHeader(opts.format));
          for await (const page of subMapPages(table, {
            pageSize: opts.pageSize,
            signal: ctx.deps.signal,
            ...(opts.since !== undefined ? { since: opts.since } : {}),
          })) {
            for (const row of page.rows) await write(sink, formatSubMapRow(row, opts.format));
            rows += page.rows.length;
            read += page.read;
            withoutTargetSub += page.withoutTargetSub;
            if (clock.now() - lastNote >= PROGRESS_EVERY_MS) {
              lastNote = clock.now();
              output.note(`sub-map: ${rows} row(s) written, ${read} migrated user(s) read`);
            }
          }
        } finally {
          if (file) {
            file.end();
            await once(file, 'close').catch(() => undefined);
          }
        }
        output.note(
          `sub-map: ${rows} row(s)${path ? ` to ${path}` : ''}` +
            (withoutTargetSub
              ? `; ${withoutTargetSub} migrated user(s) left out: target sub not known yet (no sign-in since the migration)`
              : ''),
        );
      });
    });
  return command;
};
