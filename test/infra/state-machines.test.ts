import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aslPlaceholders } from '../../infra/constructs/bulk-sync-state-machine';
import { allStates, type AslMachine } from '#local/stepfunctions/definition';
import { type Cfn, REPO_ROOT, synth, type Synthesized } from './support';

const DIR = join(REPO_ROOT, 'statemachines');
const aslFiles = readdirSync(DIR).filter((f) => f.endsWith('.asl.json'));

let app: Synthesized;
let machines: Cfn[];

beforeAll(() => {
  app = synth();
  machines = Object.values(app.migrationTemplate.findResources('AWS::StepFunctions::StateMachine'));
});

describe('state machine definitions', () => {
  it('finds the ASL files', () => {
    expect(aslFiles).toContain('bulk-sync.asl.json');
  });

  describe.each(aslFiles)('%s', (file) => {
    const text = readFileSync(join(DIR, file), 'utf8');
    // DefinitionBody.fromFile stages the file as an S3 asset named by its hash in the assembly.
    const definitionOf = (machine: Cfn): string | undefined => {
      const key: string | undefined = machine.Properties.DefinitionS3Location?.Key;
      const staged = key && join(app.app.outdir, `asset.${key}`);
      return staged && existsSync(staged)
        ? readFileSync(staged, 'utf8')
        : machine.Properties.DefinitionString;
    };
    const deployed = () => machines.find((m) => definitionOf(m) === text);

    it('is deployed verbatim (DefinitionBody.fromFile)', () => {
      expect(deployed()).toBeDefined();
    });

    it('has a substitution for every ${…} placeholder, and no other', () => {
      expect(Object.keys(deployed()!.Properties.DefinitionSubstitutions ?? {}).sort()).toEqual(
        aslPlaceholders(text),
      );
    });

    it('equals the file after substitution', () => {
      const machine = deployed()!;
      const DefinitionString = definitionOf(machine)!;
      const { DefinitionSubstitutions = {} } = machine.Properties;
      // Placeholders sit inside JSON strings: substitute a JSON-escaped rendering of each value.
      const substitute = (definition: string) =>
        definition.replace(/\$\{([^}]+)\}/g, (_, name: string) =>
          JSON.stringify(JSON.stringify(DefinitionSubstitutions[name])).slice(1, -1),
        );

      expect(JSON.parse(substitute(DefinitionString))).toEqual(JSON.parse(substitute(text)));
      expect(substitute(DefinitionString)).not.toMatch(/\$\{/);
    });
  });

  it('points ${BulkExportFunctionArn} at the bulk-export function, the only one the role may invoke', () => {
    const [machine] = machines;
    const target = machine.Properties.DefinitionSubstitutions.BulkExportFunctionArn;
    const invokes = Object.values<Cfn>(app.migrationTemplate.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter(
        (s: Cfn) => s.Action === 'lambda:InvokeFunction' && JSON.stringify(s.Resource).includes('BulkExport'),
      );

    expect(target).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BulkExport/), 'Arn'] });
    expect(invokes).toEqual([{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: target }]);
  });

  describe('bulk-sync tasks against the bulk-export Lambda timeout', () => {
    const tasks = () =>
      allStates(JSON.parse(readFileSync(join(DIR, 'bulk-sync.asl.json'), 'utf8')) as AslMachine).filter(
        ([, state]) => state.Type === 'Task',
      ) as [string, { TimeoutSeconds?: number; Retry?: { ErrorEquals: string[] }[] }][];
    const lambdaTimeout = () => {
      const fn = Object.values<Cfn>(app.migrationTemplate.findResources('AWS::Lambda::Function')).find((f) =>
        String(f.Properties.FunctionName).endsWith('-bulk-export'),
      );
      return Number(fn!.Properties.Timeout);
    };

    it('time a task out only after the Lambda timeout could have fired, and not much later', () => {
      for (const [, state] of tasks()) {
        expect(state.TimeoutSeconds).toBeGreaterThan(lambdaTimeout());
        expect(state.TimeoutSeconds).toBeLessThanOrEqual(lambdaTimeout() + 60);
      }
    });

    // https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html: retry
    // Lambda's transient service errors; a function timeout reaches Step Functions as
    // Sandbox.Timedout (Lambda.Unknown without an errorType), and the task resumes from its checkpoint.
    it.each([
      'Lambda.ServiceException',
      'Lambda.AWSLambdaException',
      'Lambda.SdkClientException',
      'Lambda.TooManyRequestsException',
      'Lambda.Unknown',
      'Sandbox.Timedout',
      'States.Timeout',
    ])('retry %s in every task', (error) => {
      for (const [, state] of tasks()) {
        expect((state.Retry ?? []).flatMap((r) => r.ErrorEquals)).toContain(error);
      }
    });
  });
});
