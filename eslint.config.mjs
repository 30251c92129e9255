import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import local from './scripts/eslintNoImportCycle.mjs';

/** The domains of src/core and the ones each may import (besides itself); see ARCHITECTURE.md. */
const CORE_ARROWS = {
  util: [],
  api: ['util'],
  batches: ['util', 'api'],
  files: ['util', 'api', 'batches'],
  results: ['util', 'api', 'batches'],
  cost: ['util', 'api', 'batches'],
  input: ['util', 'api', 'batches', 'results', 'cost'],
  queue: ['util', 'api', 'batches', 'files', 'results', 'cost', 'input'],
  compare: ['util', 'api', 'batches', 'files', 'results', 'cost'],
  agents: ['util', 'api', 'batches', 'files', 'results', 'cost', 'input'],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', '**/*.d.ts'] },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // No import circles anywhere in the extension or its pages, type imports included.
    files: ['src/**/*.ts', 'media/**/*.ts'],
    plugins: { local, 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'local/no-import-cycle': 'error',
      // Zones: each domain of src/core imports only the domains below it (CORE_ARROWS).
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: Object.entries(CORE_ARROWS).map(([domain, allowed]) => ({
            target: `./src/core/${domain}`,
            from: './src/core',
            except: [`./${domain}`, ...allowed.map((name) => `./${name}`)],
            message: `src/core/${domain} may import only ${[domain, ...allowed].join(', ')} within src/core.`,
          })),
        },
      ],
    },
  },
  // The arrows run one way: ids <- core <- infrastructure (log, config, auth…) <- features
  // (tree, webview, editor, jsonl, connection, auto-refresh) <- commands <- extension.ts.
  // Each block forbids what a layer may not reach; test/unit/project/architecture.test.ts proves they fire.
  {
    files: ['src/ids.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['./*', '../*', 'vscode'], message: 'ids.ts is the leaf every module may import: it imports nothing.' }] },
      ],
    },
  },
  {
    // core/ must run in plain Node: it is unit-tested without VS Code and reused by the CLI-side tools.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/core must not depend on vscode; pass what it needs in through constructors.' }],
          patterns: [
            {
              group: ['../../*', '!../../core/*'],
              message: 'src/core imports only src/core: everything else depends on it, not the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    // The MCP server runs in plain Node (`node dist/mcp.js`), outside any editor: no vscode, and of
    // the extension only its vscode-free parts (core, the tokenizer loader).
    files: ['src/mcp/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'src/mcp runs in plain Node (node dist/mcp.js): it must not depend on vscode.' }],
          patterns: [
            {
              regex: '^\\.\\./(?!core/|tokenizer/)',
              message: 'src/mcp imports only src/core and src/tokenizer, which run without VS Code.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/log.ts', 'src/config.ts', 'src/failures.ts', 'src/clipboard.ts', 'src/contextKeys.ts', 'src/auth/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/commands/*',
                '**/extension',
                '**/tree/*',
                '**/webview/*',
                '**/webview/**',
                '**/editor/*',
                '**/jsonl/*',
                '**/connection',
                '**/autoRefresh',
              ],
              message: 'Infrastructure (log, config, failures, context keys, auth) may import only ids, core and each other.',
            },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/accounts/**/*.ts',
      'src/tree/**/*.ts',
      'src/webview/**/*.ts',
      'src/editor/**/*.ts',
      'src/jsonl/**/*.ts',
      'src/lm/**/*.ts',
      'src/connection.ts',
      'src/autoRefresh.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/commands/*', '**/commands', '**/extension'],
              message: 'Features may not import commands/ or extension.ts: commands call features, not the other way round.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/commands/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['**/extension'], message: 'Only extension.ts wires things together; commands receive what they use.' }] },
      ],
    },
  },
  {
    // The pages reach the host only by messages: all they may take from src/ are the protocol types.
    files: ['media/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^\\.\\./src/(?!webview/(.+/)?\\w*[pP]rotocol$)',
              message: 'A page imports nothing from src/ but the protocol types.',
            },
            {
              regex: '^\\.\\./src/webview/(.+/)?\\w*[pP]rotocol$',
              allowTypeImports: true,
              message: 'A page imports the protocol types only (import type): its code runs in the webview.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module' },
  },
  {
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
