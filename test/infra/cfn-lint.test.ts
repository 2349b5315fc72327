import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFile, fullConfig, synth } from './support';

/** cfn-lint is an independent oracle: present on CI and developer machines that installed it, optional elsewhere. */
const cfnLintAvailable = (): boolean =>
  spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' }).status === 0;

describe('synthesized templates', () => {
  it('pass cfn-lint (operator role, source pool in another Region)', () => {
    if (!cfnLintAvailable()) {
      console.warn('skipped: cfn-lint is not on PATH (pip install cfn-lint)');
      expect(cfnLintAvailable()).toBe(false);
      return;
    }
    const outdir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    try {
      const s = synth({ config: configFile(fullConfig(), 'full.json'), outdir });
      const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));

      expect(s.sourceAccess?.region).toBe('us-east-1');
      expect(templates.sort()).toEqual([
        'CognitoMigrate-dev-Migration.template.json',
        'CognitoMigrate-dev-SourceAccess.template.json',
      ]);
      const lint = spawnSync(
        'cfn-lint',
        ['--format', 'parseable', ...templates.map((t) => join(outdir, t))],
        {
          encoding: 'utf8',
        },
      );
      expect(lint.stdout + lint.stderr).toBe('');
      expect(lint.status).toBe(0);
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  }, 180_000);
});
