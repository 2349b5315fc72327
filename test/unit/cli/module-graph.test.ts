import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  findCycles,
  importGraph,
  packageOf,
  PROJECT_ROOT,
  projectPath,
  type ImportEdge,
} from '../../support/import-graph';

const CLI_DIR = join(PROJECT_ROOT, 'cli');
const inCli = (file: string) => file.startsWith(`${CLI_DIR}/`);
const cliFiles = (dir = CLI_DIR): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? cliFiles(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

const { dependencies } = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
};

/** What `node bin/cognito-migrate.js` loads before any command runs `import()`. */
const runtimeGraph = () => importGraph(['bin/cognito-migrate.js', 'cli/main.ts'], ['static']);

describe('the CLI module graph', () => {
  it('has no import cycle in cli/, counting type-only and dynamic imports', () => {
    const graph = importGraph(cliFiles(), ['type', 'static', 'dynamic']);
    // The walk sees the program's edges to its commands, so an empty answer is not a blind one.
    expect(graph.get(join(CLI_DIR, 'index.ts'))?.map((e) => e.file)).toContain(
      join(CLI_DIR, 'commands', 'status.ts'),
    );
    expect(findCycles(graph, inCli)).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const a = join(CLI_DIR, 'a.ts');
    const b = join(CLI_DIR, 'b.ts');
    const edge = (file: string): ImportEdge => ({ specifier: file, kind: 'type', file });
    const graph = new Map([
      [a, [edge(b)]],
      [b, [edge(a)]],
    ]);
    expect(findCycles(graph, inCli)).toEqual([['cli/a.ts', 'cli/b.ts', 'cli/a.ts']]);
  });

  it('loads only `dependencies` at run time, so `npm ci --omit=dev` is enough for AWS', () => {
    const packages = new Set(
      [...runtimeGraph().values()].flat().flatMap((e) => (e.file ? [] : [packageOf(e.specifier)])),
    );
    expect(packages).toContain('tsx');
    expect([...packages].filter((name) => !(name in dependencies)).sort()).toEqual([]);
  });

  it('reaches cli/local/ and the embedded stack only on demand, from the command that runs them', () => {
    const reached = [...runtimeGraph().keys()].map(projectPath);
    expect(reached).toContain('cli/commands/status.ts');
    const demoLoads = importGraph(['cli/commands/demo.ts'], ['dynamic']).get(
      join(CLI_DIR, 'commands', 'demo.ts'),
    );
    expect(demoLoads?.map((e) => e.file && projectPath(e.file))).toContain('cli/local/demo.ts');
    expect(
      reached.filter((f) =>
        /^cli\/local\/|^local\/(stack|stepfunctions|dynamodb|cognito|wire-functions)/.test(f),
      ),
    ).toEqual([]);
  });
});
