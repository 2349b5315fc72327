import { existsSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * How a module refers to another: erased at run time (`import type`), loaded with it (`import`,
 * top-level `require`), or loaded on demand (`import()`, `require` inside a function).
 */
export type ImportKind = 'type' | 'static' | 'dynamic';

export interface ImportEdge {
  specifier: string;
  kind: ImportKind;
  /** The file it resolves to, for a relative or `#alias` specifier; absent for a package. */
  file?: string;
}

const ROOT = resolve(__dirname, '..', '..');
const EXTENSIONS = ['', '.ts', '.js', '.cjs', '/index.ts', '/index.js'];

/** package.json `imports` (`#shared/*` → `./functions/shared/*.ts`), as prefix rewrites. */
const ALIASES = Object.entries(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports: Record<string, string> })
    .imports,
).map(([from, to]) => ({ prefix: from.slice(0, from.indexOf('*')), target: to.slice(0, to.indexOf('*')) }));

const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0] ?? '');

/** The npm package a bare specifier loads: `@scope/name` or `name`. */
export const packageOf = (specifier: string): string => {
  const parts = specifier.split('/');
  return (specifier.startsWith('@') ? parts.slice(0, 2) : parts.slice(0, 1)).join('/');
};

const resolveFile = (from: string, specifier: string): string | undefined => {
  let base: string | undefined;
  if (specifier.startsWith('.')) base = resolve(dirname(from), specifier);
  for (const alias of ALIASES) {
    if (specifier.startsWith(alias.prefix)) {
      base = join(ROOT, alias.target, specifier.slice(alias.prefix.length));
    }
  }
  if (base === undefined) return undefined;
  for (const ext of EXTENSIONS) {
    const candidate = base + ext;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  throw new Error(`${relative(ROOT, from)}: cannot resolve "${specifier}"`);
};

const isTypeOnlyImport = (node: ts.ImportDeclaration): boolean => {
  const clause = node.importClause;
  if (!clause) return false; // `import 'x'`: loaded for its side effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  // `import { type A, type B } from 'x'` is erased entirely (no verbatimModuleSyntax).
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.every((e) => e.isTypeOnly);
};

/** A `require()` in a function body runs when the function does: an on-demand load, like `import()`. */
const insideFunction = (node: ts.Node): boolean => {
  for (let parent = node.parent; parent; parent = parent.parent) if (ts.isFunctionLike(parent)) return true;
  return false;
};

/** Every import, export-from, `import()` and `require()` of one file. */
export const importsOf = (file: string): ImportEdge[] => {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, kind: ImportKind) => {
    if (isBuiltin(specifier)) return;
    const target = resolveFile(file, specifier);
    edges.push({ specifier, kind, ...(target ? { file: target } : {}) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, isTypeOnlyImport(node) ? 'type' : 'static');
    } else if (
      ts.isExportDeclaration(node) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      add(node.moduleSpecifier.text, node.isTypeOnly ? 'type' : 'static');
    } else if (ts.isCallExpression(node) && node.arguments.length === 1) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) {
        if (node.expression.kind === ts.SyntaxKind.ImportKeyword) add(arg.text, 'dynamic');
        else if (ts.isIdentifier(node.expression) && node.expression.text === 'require')
          add(arg.text, insideFunction(node) ? 'dynamic' : 'static');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
};

/** The project's files reachable from `entries` along edges of the given kinds, with their edges. */
export const importGraph = (
  entries: readonly string[],
  kinds: readonly ImportKind[],
): Map<string, ImportEdge[]> => {
  const graph = new Map<string, ImportEdge[]>();
  const pending = entries.map((e) => resolve(ROOT, e));
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (graph.has(file)) continue;
    const edges = importsOf(file).filter((e) => kinds.includes(e.kind));
    graph.set(file, edges);
    for (const edge of edges) if (edge.file && !graph.has(edge.file)) pending.push(edge.file);
  }
  return graph;
};

/** Every import cycle among `files` (each as a path list, first file repeated at the end). */
export const findCycles = (
  graph: Map<string, ImportEdge[]>,
  within: (file: string) => boolean,
): string[][] => {
  const cycles: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const edge of graph.get(file) ?? []) {
      if (!edge.file || !within(edge.file)) continue;
      if (state.get(edge.file) === 'open') cycles.push([...stack.slice(stack.indexOf(edge.file)), edge.file]);
      else if (!state.has(edge.file)) visit(edge.file);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (within(file) && !state.has(file)) visit(file);
  return cycles.map((cycle) => cycle.map((f) => relative(ROOT, f)));
};

export const projectPath = (file: string): string => relative(ROOT, file);
export const PROJECT_ROOT = ROOT;
