import { Command, Option } from 'commander';
import { InvalidInputError } from '#shared/errors';
import { isMigrationStatus, MIGRATION_STATUSES, type MigrationStatus } from '#shared/table/status';
import { listUsersByStatus, type UserRecord } from '#shared/table/users';
import type { CommandFactory } from '../context';
import { formatTable } from '../output';
import { integerIn, positiveInteger } from '../options';

const COLUMNS = ['username', 'email', 'status', 'userStatus', 'enabled', 'reason', 'groups'] as const;

const row = (user: UserRecord): string[] => [
  user.username,
  user.attributes?.email ?? '',
  user.status,
  user.userStatus ?? '',
  String(user.enabled),
  user.reason ?? '',
  user.groups.join(';'),
];

/** RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes. */
const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** `stragglers`: pages through the users in one status, streaming each page as it arrives. */
export const stragglersCommand: CommandFactory = (ctx) =>
  new Command('stragglers')
    .description('list the users in a migration status (default PENDING), page by page from the status index')
    .option('--status <status>', `one of ${MIGRATION_STATUSES.join(', ')}`, 'PENDING')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'csv', 'json']))
    .option('--limit <n>', 'stop after this many users (at least 1)', positiveInteger)
    .option('--page-size <n>', 'users per table query (1 to 1000)', integerIn({ min: 1, max: 1000 }), 100)
    .action(
      async (
        opts: { status: string; format?: 'table' | 'csv' | 'json'; limit?: number; pageSize: number },
        command: Command,
      ) => {
        const status = opts.status.toUpperCase();
        if (!isMigrationStatus(status)) {
          throw new InvalidInputError(
            `--status must be one of ${MIGRATION_STATUSES.join(', ')}, not "${opts.status}"`,
          );
        }
        const output = ctx.output(command);
        const format = opts.format ?? (output.json ? 'json' : 'table');
        await ctx.withConnection(command, async ({ table }) => {
          const rows: string[][] = [];
          let count = 0;
          let nextToken: string | undefined;
          if (format === 'csv') output.raw(`${COLUMNS.join(',')}\n`);
          do {
            const want = Math.min(opts.pageSize, (opts.limit ?? Infinity) - count);
            // Whole records: the index holds only the status columns, and the listing shows email and groups.
            const page = await listUsersByStatus(table, status as MigrationStatus, {
              full: true,
              limit: want,
              ...(nextToken ? { nextToken } : {}),
            });
            for (const user of page.users) {
              count += 1;
              // json: one object per line (NDJSON), so a million stragglers stream without buffering.
              if (format === 'json') output.raw(`${JSON.stringify(user)}\n`);
              else if (format === 'csv') output.raw(`${row(user).map(csvField).join(',')}\n`);
              else rows.push(row(user));
            }
            nextToken = page.nextToken;
          } while (nextToken && count < (opts.limit ?? Infinity) && !ctx.deps.signal.aborted);
          if (format === 'table') {
            output.raw(
              `${[...formatTable([[...COLUMNS], ...rows]), `${count} user(s) ${status}`].join('\n')}\n`,
            );
          } else {
            output.note(`${count} user(s) ${status}${nextToken ? ' (limit reached; more remain)' : ''}`);
          }
        });
      },
    );
