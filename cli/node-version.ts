/** The Node.js major the project runs on: the functions' Lambda runtime (nodejs22.x). */
export const SUPPORTED_NODE_MAJOR = 22;

/**
 * On an older Node, one line instead of the AWS SDK's seven-line NodeVersionSupportWarning
 * (which every command would otherwise print first). The command still runs: Node 20 works
 * today, it is just past its end of life and the SDK will stop supporting it.
 */
export const warnIfOldNode = (
  version: string,
  env: NodeJS.ProcessEnv,
  stderr: { write(chunk: string): unknown },
): void => {
  const major = Number(/^v?(\d+)/.exec(version)?.[1]);
  if (!(major < SUPPORTED_NODE_MAJOR)) return;
  // Read by @aws-sdk/core when the first client is built.
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  stderr.write(
    `warning: Node ${version.replace(/^v/, '')} is past its end of life; cognito-migrate is built for Node ${SUPPORTED_NODE_MAJOR} (the Lambda runtime), please upgrade\n`,
  );
};
