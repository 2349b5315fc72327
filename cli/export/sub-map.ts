import { InvalidArgumentError } from 'commander';
import { z } from 'zod';
import type { TableContext } from '#shared/table/context';
import { cognitoTargetUsername } from '#shared/table/migration-events';
import { IN_TARGET } from '#shared/table/status';
import { listUsersByStatus, type UserRecord } from '#shared/table/users';

/** The sub map's columns, in order: the CSV header and the JSONL keys. */
export const SUB_MAP_COLUMNS = [
  'sourceUsername',
  'sourceSub',
  'targetUsername',
  'targetSub',
  'migratedAt',
  'method',
] as const;

export type SubMapRow = Record<(typeof SUB_MAP_COLUMNS)[number], string>;
export type SubMapFormat = 'csv' | 'jsonl';

const isoDateTime = z.iso.datetime({ offset: true });
const isoDate = z.iso.date();

/**
 * `--since`: an ISO 8601 date (`2026-11-01`, midnight UTC) or date-time with a zone
 * (`2026-11-01T12:00:00Z`, `...+02:00`). Anything else — a local time without a zone, `yesterday`,
 * 2026-02-30 — is refused before anything is read: a lenient parse would export the wrong rows.
 */
export const parseSince = (value: string): number => {
  const text = value.trim();
  const ok = isoDateTime.safeParse(text).success || isoDate.safeParse(text).success;
  const ms = ok ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) {
    throw new InvalidArgumentError(
      'Expected an ISO 8601 date (2026-11-01) or date-time with a zone (2026-11-01T12:00:00Z).',
    );
  }
  return ms;
};

/** RFC 4180: quote a field holding a comma, quote or line break, doubling inner quotes. */
export const csvField = (value: string): string =>
  /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;

/** The header line of a format (none for JSONL). */
export const subMapHeader = (format: SubMapFormat): string =>
  format === 'csv' ? `${SUB_MAP_COLUMNS.join(',')}\r\n` : '';

/** One row as a line of the format (CSV lines end in CRLF, as RFC 4180 has them). */
export const formatSubMapRow = (row: SubMapRow, format: SubMapFormat): string =>
  format === 'csv'
    ? `${SUB_MAP_COLUMNS.map((column) => csvField(row[column])).join(',')}\r\n`
    : `${JSON.stringify(row)}\n`;

export const toSubMapRow = (record: UserRecord): SubMapRow => ({
  sourceUsername: record.username,
  sourceSub: record.sub,
  targetUsername: cognitoTargetUsername(record),
  targetSub: record.targetSub ?? '',
  migratedAt: record.migratedAt ?? '',
  method: record.method ?? '',
});

/** One page of the export, as read. */
export interface SubMapPage {
  rows: SubMapRow[];
  /** Users in the target whose target sub is not known yet (left out of `rows`). */
  withoutTargetSub: number;
  /** Users read (in the target), before `--since` and the sub filter. */
  read: number;
}

/**
 * The sub map, one page at a time: every user in the target pool (IN_TARGET: MIGRATED, RESET_SENT)
 * from the status index, each whole record read from the table. A generator, so the caller writes
 * a page before the next is read and memory holds one page whatever the pool's size. Users whose
 * target sub is not known yet (migrated, not signed in since) are counted, not listed.
 */
export async function* subMapPages(
  table: TableContext,
  options: { since?: number; pageSize: number; signal?: AbortSignal },
): AsyncGenerator<SubMapPage> {
  for (const status of IN_TARGET) {
    let nextToken: string | undefined;
    do {
      if (options.signal?.aborted) return;
      const page = await listUsersByStatus(table, status, {
        full: true,
        limit: options.pageSize,
        ...(nextToken ? { nextToken } : {}),
      });
      const rows: SubMapRow[] = [];
      let withoutTargetSub = 0;
      for (const record of page.users) {
        if (options.since !== undefined && !(Date.parse(record.migratedAt ?? '') >= options.since)) continue;
        if (!record.targetSub) withoutTargetSub += 1;
        else rows.push(toSubMapRow(record));
      }
      yield { rows, withoutTargetSub, read: page.users.length };
      nextToken = page.nextToken;
    } while (nextToken);
  }
}
