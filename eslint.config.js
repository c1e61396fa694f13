// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Layers that sit below the edges (proxies, api, cli, web) must never import them. */
const edgeImports = {
  patterns: [
    {
      group: ['**/proxies/**', '**/api/**', '**/cli/**', '**/web/**', '**/server.ts', '**/server.js'],
      message: 'Core layers (policy, access, audit, identity, store) must not depend on edges; see DESIGN.md.',
    },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.stint/**', 'coverage/**', 'bench/results/**', 'web/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['src/policy/**', 'src/access/**', 'src/audit/**', 'src/identity/**', 'src/store/**', 'src/errors/**', 'src/time/**', 'src/util/**', 'src/control/**', 'src/sql/**', 'src/sessions/**', 'src/tls/**', 'src/events/**', 'src/requests/**', 'src/reports/**', 'src/offboarding/**', 'src/notify/**', 'src/masking/**'],
    rules: { 'no-restricted-imports': ['error', edgeImports] },
  },
  {
    // The CLI and scripts talk to a terminal; printing is their job.
    files: ['src/cli/**', 'bench/**', 'scripts/**', 'bin/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', 'test/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['eslint.config.js', 'bin/**', 'scripts/**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
