import '#local/polyfills';

// On Node 20 every worker would print the AWS SDK's seven-line NodeVersionSupportWarning; the CLI
// says it in one line (cli/node-version.ts), and a test run need not say it at all.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
