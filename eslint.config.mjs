// ESLint with typescript-eslint: the recommended rules, plus the type-aware ones that catch what
// a reviewer misses most (a promise nobody awaits, a promise where a callback is expected) and
// `import type` for what is only a type. Formatting is Prettier's (eslint-config-prettier).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.local/**', 'test/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // Type-aware: imports that decorator metadata needs at run time (Nest's injection) stay value imports.
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // The benchmark, the demo seed and the manifest tests read loosely typed JSON and YAML documents.
    files: ['bench/**/*.ts', 'scripts/demo/**/*.ts', 'test/deploy/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: ['*.js'],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // Browser scripts; pass-code.js is also loaded by a test through CommonJS.
  {
    files: ['services/web/assets/**/*.js'],
    languageOptions: { globals: { ...globals.browser, module: 'readonly' }, sourceType: 'script' },
  },
  prettier,
);
