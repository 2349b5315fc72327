import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** One owner of the migration table: production code reaches it only through functions/shared/table/. */
const TABLE_OWNER = {
  name: '@aws-sdk/lib-dynamodb',
  message: 'Only functions/shared/table/ reads and writes the migration table; add a function there.',
};

export default tseslint.config(
  { ignores: ['node_modules/', 'cdk.out/', 'coverage/', '.cognito-migrate/', '.ci/node/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='describe'][callee.property.name='only']",
          message: 'No .only',
        },
        {
          selector: "CallExpression[callee.object.name='it'][callee.property.name='only']",
          message: 'No .only',
        },
        {
          selector: "CallExpression[callee.object.name='it'][callee.property.name='skip']",
          message: 'No .skip',
        },
        {
          selector: "CallExpression[callee.object.name='describe'][callee.property.name='skip']",
          message: 'No .skip',
        },
      ],
    },
  },
  {
    // One owner of the migration table: production code reaches it only through
    // functions/shared/table/. Tests, benches and the local stack may build or inspect items directly.
    files: ['functions/**/*.ts', 'infra/**/*.ts'],
    ignores: ['functions/shared/table/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [TABLE_OWNER],
          patterns: [
            {
              // No function imports another's folder: what two functions share lives in functions/shared.
              group: ['../bulk-export/*', '../lazy-migrate/*', '../group-sync/*', '../reconcile/*'],
              message: 'Functions do not import each other; move what they share to functions/shared.',
            },
            {
              group: [
                '**/functions/bulk-export/*',
                '**/functions/lazy-migrate/*',
                '**/functions/group-sync/*',
                '**/functions/reconcile/*',
              ],
              message: 'Infra does not import function code; move what it shares to functions/shared.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI runs the functions' logic (reconcile, campaign) in process, but not the table's SDK.
    files: ['cli/**/*.ts', 'bin/**/*.js'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [TABLE_OWNER],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
