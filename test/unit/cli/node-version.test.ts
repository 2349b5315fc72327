import { warnIfOldNode } from '../../../cli/node-version';

describe('warnIfOldNode', () => {
  const run = (version: string) => {
    const env: NodeJS.ProcessEnv = {};
    let text = '';
    warnIfOldNode(version, env, { write: (chunk: string) => (text += chunk) });
    return { env, text };
  };

  it('prints one line on Node 20 and silences the SDK seven-line warning', () => {
    const { env, text } = run('v20.20.2');

    expect(text).toBe(
      'warning: Node 20.20.2 is past its end of life; cognito-migrate is built for Node 22 (the Lambda runtime), please upgrade\n',
    );
    expect(env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
  });

  it.each(['v22.23.3', 'v24.1.0'])('says nothing on %s', (version) => {
    expect(run(version)).toEqual({ env: {}, text: '' });
  });
});
