/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  // p-limit (and yocto-queue) and openid-client (and oauth4webapi, jose) ship ESM only; jest runs CommonJS.
  transformIgnorePatterns: ['/node_modules/(?!(p-limit|yocto-queue|openid-client|oauth4webapi|jose)/)'],
  moduleNameMapper: {
    '^#shared/(.*)$': '<rootDir>/functions/shared/$1',
    '^#local/(.*)$': '<rootDir>/local/$1',
  },
  // One synthesis (cached by source hash) shared by the artifact-mode tests.
  globalSetup: '<rootDir>/test/setup/synthesize.ts',
  setupFiles: ['<rootDir>/test/setup/polyfills.ts'],
  setupFilesAfterEnv: ['<rootDir>/test/setup/matchers.ts'],
  testTimeout: 30000,
};
