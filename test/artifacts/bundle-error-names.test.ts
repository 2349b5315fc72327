import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { testAssembly } from './support/assembly';

const REPO_ROOT = join(__dirname, '..', '..');

/** Every error class the project declares (functions and custom resources), with its file. */
const PROJECT_ERROR_CLASSES = (() => {
  const files = ['functions', join('infra', 'custom-resources')].flatMap((dir) =>
    readdirSync(join(REPO_ROOT, dir), { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => relative(REPO_ROOT, join(REPO_ROOT, dir, name))),
  );
  return files.flatMap((file) =>
    [...readFileSync(join(REPO_ROOT, file), 'utf8').matchAll(/export class (\w+) extends \w*Error\b/g)].map(
      (match) => ({ name: match[1]!, file }),
    ),
  );
})();

const bundles = () =>
  Object.values(testAssembly().functions).map((fn) => {
    const code = readFileSync(join(fn.codeDir, 'index.js'), 'utf8');
    const map = JSON.parse(readFileSync(join(fn.codeDir, 'index.js.map'), 'utf8')) as {
      names: string[];
      sources: string[];
    };
    return { key: fn.key, code, map };
  });

describe('bundled functions', () => {
  it('lists the project error classes this test checks', () => {
    expect(PROJECT_ERROR_CLASSES.map((c) => c.name)).toEqual(
      expect.arrayContaining(['SourceThrottledError', 'MigrationRefusedError', 'TargetUserNotFoundError']),
    );
  });

  it('keep the name of every project error class they contain, as Lambda reports it in errorType', () => {
    const lost: string[] = [];
    for (const bundle of bundles()) {
      for (const { name, file } of PROJECT_ERROR_CLASSES) {
        // The source map names what minification renamed: a class listed there survived
        // tree-shaking, so this bundle can throw it.
        const contained =
          bundle.map.names.includes(name) && bundle.map.sources.some((source) => source.endsWith(file));
        if (!contained) continue;
        if (!bundle.code.includes(`"${name}"`) && !bundle.code.includes(`'${name}'`)) {
          lost.push(`${bundle.key}: ${name}`);
        }
      }
    }

    expect(lost).toEqual([]);
  });

  it('bulk-export contains every project error the state machine routes on', () => {
    const bulkExport = bundles().find((b) => b.key === 'bulk-export')!;
    const routed = [
      ...new Set(
        [...testAssembly().stateMachine.definition.matchAll(/"ErrorEquals":\s*\[([^\]]*)\]/g)].flatMap((m) =>
          [...m[1]!.matchAll(/"(\w+Error)"/g)].map((n) => n[1]!),
        ),
      ),
    ].filter((name) => PROJECT_ERROR_CLASSES.some((c) => c.name === name));

    expect(routed).toEqual(expect.arrayContaining(['SourceThrottledError', 'TableUnavailableError']));
    expect(routed.filter((name) => !bulkExport.code.includes(`"${name}"`))).toEqual([]);
  });
});
