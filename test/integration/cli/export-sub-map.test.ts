import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ManualClock } from '#shared/clock';
import { parseConfig } from '#shared/config';
import type { TableContext } from '#shared/table/context';
import { recordMigrated, transitionStatus, upsertSnapshot } from '#shared/table/users';
import { recordTargetSub } from '#shared/table/target-sub';
import { startLocalTables, type LocalTableHarness } from '../../support/local-table';
import { aSourceUser } from '../../support/users';
import { runCli } from '../../../cli/index';
import type { Connection } from '../../../cli/connection';
import { SUB_MAP_COLUMNS } from '../../../cli/export/sub-map';
import { Capture, testDeps } from './cli-harness';

const T0 = Date.UTC(2026, 10, 1, 12);
const HOUR = 3_600_000;
/** A Cognito username may hold punctuation: this one needs RFC 4180 quoting. */
const QUOTED = 'o"brien,jr';

describe('export sub-map', () => {
  let tables: LocalTableHarness;
  let table: TableContext;
  let clock: ManualClock;
  const subs = new Map<string, { source: string; target: string }>();

  const connection = (doc: DynamoDBDocumentClient = table.doc): Connection => ({
    config: parseConfig({
      source: { userPoolId: 'us-east-1_src', migrationClientId: 'c' },
      target: { userPoolId: 'us-east-1_tgt' },
      tableName: table.tableName,
      migrationWindowEnd: new Date(T0 + 30 * 86_400_000).toISOString(),
    }),
    table: { ...table, doc },
    source: {} as CognitoIdentityProviderClient,
    target: {} as CognitoIdentityProviderClient,
    close: () => undefined,
  });

  beforeAll(async () => {
    tables = await startLocalTables();
    clock = new ManualClock(T0);
    table = await tables.newTable(clock);
    // Eight users migrate one hour apart; the last never signs in (target sub unknown); one stays PENDING.
    const names = ['ana', 'ben', QUOTED, 'cho', 'dee', 'eli', 'fay', 'gus', 'pending-pat'];
    for (const [i, username] of names.entries()) {
      const user = aSourceUser({ username });
      await upsertSnapshot(table, user);
      if (username === 'pending-pat') continue;
      clock.advance(T0 + i * HOUR - clock.now());
      const targetSub = `target-${i}-0000-4000-8000-000000000000`;
      if (username === 'fay') {
        // The reset campaign's user: created with AdminCreateUser's sub, then RESET_SENT.
        await transitionStatus(table, username, { from: ['PENDING'], to: 'FLAGGED_FOR_RESET' });
        await recordTargetSub(table, username, targetSub);
        await transitionStatus(table, username, {
          from: ['FLAGGED_FOR_RESET'],
          to: 'RESET_SENT',
          set: {
            method: 'reset-campaign',
            targetUsername: username,
            migratedAt: new Date(clock.now()).toISOString(),
          },
        });
      } else {
        await recordMigrated(table, username, {
          method: 'password',
          targetUsername: username,
          sub: user.sub,
        });
        if (username !== 'gus') await recordTargetSub(table, username, targetSub);
      }
      if (username !== 'gus') subs.set(username, { source: user.sub, target: targetSub });
    }
  });

  afterAll(() => tables.close());

  it('writes a CSV header and one RFC 4180 row per migrated user whose target sub is known', async () => {
    const deps = testDeps({ clock, connection: connection() });

    const code = await runCli(['export', 'sub-map', '--format', 'csv'], deps);

    const lines = deps.stdout.text.split('\r\n');
    expect(code).toBe(0);
    expect(lines[0]).toBe('sourceUsername,sourceSub,targetUsername,targetSub,migratedAt,method');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(1, -1)).toHaveLength(subs.size);
    const quoted = subs.get(QUOTED)!;
    expect(lines).toContain(
      `"o""brien,jr",${quoted.source},"o""brien,jr",${quoted.target},${new Date(T0 + 2 * HOUR).toISOString()},password`,
    );
    expect(lines.some((line) => line.startsWith('fay,') && line.endsWith(',reset-campaign'))).toBe(true);
    expect(deps.stderr.text).toMatch(/7 row\(s\); 1 migrated user\(s\) left out: target sub not known yet/);
  });

  it('writes one JSON object per line with exactly the six columns, matching the recorded subs', async () => {
    const deps = testDeps({ clock, connection: connection() });

    await runCli(['export', 'sub-map', '--format', 'jsonl'], deps);

    const rows = deps.stdout.lines.map((line) => JSON.parse(line) as Record<string, string>);
    expect(rows.map((row) => Object.keys(row))).toEqual(rows.map(() => [...SUB_MAP_COLUMNS]));
    expect(
      new Map(rows.map((row) => [row.sourceUsername, { source: row.sourceSub, target: row.targetSub }])),
    ).toEqual(subs);
  });

  it('--since keeps only users migrated at or after that instant', async () => {
    const deps = testDeps({ clock, connection: connection() });

    await runCli(
      ['export', 'sub-map', '--format', 'jsonl', '--since', new Date(T0 + 5 * HOUR).toISOString()],
      deps,
    );

    const names = deps.stdout.lines.map(
      (line) => (JSON.parse(line) as { sourceUsername: string }).sourceUsername,
    );
    expect(names.sort()).toEqual(['eli', 'fay']);
  });

  it.each(['yesterday', '2026-11-01T12:00:00', '2026-02-30', '2026-13-01T00:00:00Z'])(
    'refuses --since %s with exit 2 and one line, before reading the table',
    async (since) => {
      const deps = testDeps({ clock, connection: connection() });

      const code = await runCli(['export', 'sub-map', '--since', since], deps);

      expect(code).toBe(2);
      expect(deps.stdout.text).toBe('');
      expect(deps.stderr.lines).toHaveLength(1);
      expect(deps.stderr.text).toMatch(/--since <iso>.*ISO 8601/);
    },
  );

  it('streams: the first row is written before the last page is read, with one page in memory', async () => {
    let queries = 0;
    const counting = {
      send: (command: unknown, ...rest: unknown[]) => {
        if (command instanceof QueryCommand) queries += 1;
        return (table.doc.send as (...args: unknown[]) => unknown)(command, ...rest);
      },
    } as unknown as DynamoDBDocumentClient;
    let queriesAtFirstRow: number | undefined;
    const stdout = new (class extends Capture {
      override write(chunk: string): boolean {
        if (chunk.startsWith('{')) queriesAtFirstRow ??= queries;
        return super.write(chunk);
      }
    })();
    const deps = testDeps({ clock, connection: connection(counting), stdout });

    await runCli(['export', 'sub-map', '--format', 'jsonl', '--page-size', '1'], deps);

    expect(stdout.lines).toHaveLength(subs.size);
    // Page size 1 over 16 status shards of two statuses: dozens of queries, the first row after a few.
    expect(queries).toBeGreaterThan(subs.size);
    expect(queriesAtFirstRow).toBeLessThan(queries / 2);
  });

  it('--output writes the map to a file and only the summary to stderr', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'sub-map-')), 'map.csv');
    const deps = testDeps({ clock, connection: connection() });

    const code = await runCli(['export', 'sub-map', '--output', file], deps);

    expect(code).toBe(0);
    expect(deps.stdout.text).toBe('');
    expect(readFileSync(file, 'utf8').split('\r\n').filter(Boolean)).toHaveLength(subs.size + 1);
    expect(deps.stderr.text).toContain(`to ${file}`);
  });
});
