import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** The repository root (this file is local/artifacts/synth.ts). */
export const REPO_ROOT = join(__dirname, '..', '..');

/** Where synthesized assemblies are kept between runs, one per source hash (gitignored). */
export const ASSEMBLY_CACHE = join(REPO_ROOT, '.cognito-migrate', 'cdk-out');

/** What a synthesized assembly is built from: a change to any of these is a new assembly. */
const INPUTS = [
  'local/artifacts/synth.ts',
  'infra',
  'functions',
  'statemachines',
  'package-lock.json',
  'package.json',
  'cdk.json',
  'tsconfig.json',
];

const filesUnder = (path: string): string[] => {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => filesUnder(join(path, name)));
};

/** A hash of every input of the synthesis (paths and contents), plus the stage and config file. */
export const sourceHash = (options: { stage: string; config: string }): string => {
  const hash = createHash('sha256').update(`${options.stage}\n${options.config}\n`);
  for (const file of INPUTS.flatMap((input) => filesUnder(join(REPO_ROOT, input)))) {
    hash.update(relative(REPO_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  if (existsSync(options.config)) hash.update(readFileSync(options.config));
  return hash.digest('hex').slice(0, 16);
};

export interface SynthOptions {
  /** @default 'dev' */
  stage?: string;
  /** Deployment configuration file. @default the committed example */
  config?: string;
  /** Called with each line the synthesis prints (bundling progress, cdk-nag). @default silent */
  onOutput?: (line: string) => void;
}

const cdkJsonContext = (): Record<string, unknown> =>
  (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> })
    .context ?? {};

const runApp = (outdir: string, stage: string, config: string, onOutput: (line: string) => void) =>
  new Promise<void>((resolve, reject) => {
    // The app itself, as `cdk synth` runs it (cdk.json "app"), without the CLI in between:
    // CDK_OUTDIR and CDK_CONTEXT_JSON are how the CLI hands an app its output directory and context.
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), join('infra', 'app.ts')], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        // The CLI's defaults too: asset metadata names each function's bundled directory.
        CDK_CONTEXT_JSON: JSON.stringify({
          ...cdkJsonContext(),
          stage,
          config,
          'aws:cdk:enable-asset-metadata': true,
          'aws:cdk:enable-path-metadata': true,
        }),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tail = '';
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      tail = (tail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) onOutput(line);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`Synthesis failed (exit ${code}):\n${tail}`)),
    );
  });

/**
 * Synthesizes the CDK app (bundling each function with local esbuild, as `cdk synth` does) into
 * a cache directory keyed by the hash of its sources, and returns that directory. A second call
 * with unchanged sources returns the cached assembly at once.
 */
export const synthesize = async (options: SynthOptions = {}): Promise<string> => {
  const stage = options.stage ?? 'dev';
  const config = options.config ?? join(REPO_ROOT, 'infra', 'examples', 'config.example.json');
  const dir = join(ASSEMBLY_CACHE, `${stage}-${sourceHash({ stage, config })}`);
  if (existsSync(join(dir, 'manifest.json'))) return dir;
  mkdirSync(ASSEMBLY_CACHE, { recursive: true });
  const building = `${dir}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  await runApp(building, stage, config, options.onOutput ?? (() => undefined));
  // A rename is atomic: a concurrent reader sees no assembly or a whole one.
  if (!existsSync(join(dir, 'manifest.json'))) {
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  } else {
    rmSync(building, { recursive: true, force: true });
  }
  return dir;
};
