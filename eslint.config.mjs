import nx from '@nx/eslint-plugin';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/**
 * One lint config for the workspace. The module boundaries are the point: `sdk/core` imports
 * nothing of ours, the SDK and the server import only core, and the dashboard never reaches
 * server code (it reads through the HTTP API only).
 */
export default [
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.next/**', '**/.next-*/**', '**/next-env.d.ts', '**/.nx/**', '**/.costscope/**', '**/coverage/**'],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.mjs', '**/*.cjs'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            { sourceTag: 'scope:core', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'scope:sdk', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:server', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:dashboard', onlyDependOnLibsWithTags: ['scope:core'] },
            { sourceTag: 'scope:launcher', onlyDependOnLibsWithTags: [] },
            // The demo is an app of the SDK's users: core and the SDK, and the server only over HTTP.
            { sourceTag: 'scope:demo', onlyDependOnLibsWithTags: ['scope:core', 'scope:sdk'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Core is pure: no file, network or process access, so it runs the same in the SDK, the
    // server and the browser.
    files: ['sdk/core/src/**/*.ts'],
    ignores: ['sdk/core/src/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: '@costscope/core is pure TypeScript with no I/O.' },
            {
              group: ['fs', 'fs/*', 'http', 'https', 'net', 'child_process', 'worker_threads', 'os', 'path'],
              message: '@costscope/core is pure TypeScript with no I/O.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: '@costscope/core reads no environment.' }],
    },
  },
  {
    files: ['**/test/**/*.ts', '**/e2e/**/*.ts', '**/bench/**/*.ts', '**/*.spec.ts'],
    rules: {
      // A test that reaches a missing value should fail loudly at that line, which `!` does.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The dashboard's React: hooks called by the rules React relies on.
    files: ['dashboard/src/**/*.tsx', 'dashboard/src/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  tseslint.configs.disableTypeChecked,
];
