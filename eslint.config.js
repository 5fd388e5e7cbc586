// Lint: the recommended JS and TypeScript rules, plus the house rules from STYLE.md that a linter can see.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'web/dist/', '.wangge/', 'test-results/', 'tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [] }],
    },
  },
  // The layers of the house point one way (docs/ARCHITECTURE.md): data ← spatial ← domain ← api and the CLI;
  // web talks to the service over HTTP only (it may import the service's answer *types*). Production code
  // is held to it; tests may reach up to build their fixtures (a data/ test may start the service).
  {
    // data/ is the bottom: the database, formats, importers, generators, the error and progress vocabulary.
    files: ['data/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/spatial/**', '**/domain/**', '**/api/**', '**/web/**', 'express'], message: 'data/ is the bottom layer: it imports nothing above it (see docs/ARCHITECTURE.md).' },
      ] }],
    },
  },
  {
    // spatial/ is the pure core over a db: it never reaches up into operations, the service or the screens.
    files: ['spatial/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/domain/**', '**/api/**', '**/web/**', 'express'], message: 'spatial/ imports only data/ below it (see docs/ARCHITECTURE.md).' },
      ] }],
    },
  },
  {
    // domain/ holds the operations; the service and the CLI call it, never the reverse.
    files: ['domain/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/api/**', '**/web/**', 'express'], message: 'domain/ imports only spatial/ and data/ below it (see docs/ARCHITECTURE.md).' },
      ] }],
    },
  },
  {
    // api/ and the CLI are the top of the server side; the screens are a separate program.
    files: ['api/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['**/web/src/**', '**/web/layers/**'], message: 'api/ does not import the web client (see docs/ARCHITECTURE.md).' },
      ] }],
    },
  },
  {
    // web/ reaches the service over HTTP: only type-only imports of its answer types cross the line.
    files: ['web/**/*.ts'],
    ignores: ['**/*.test.ts', 'web/test/**'],
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [
        { group: ['**/api/**', '**/domain/**', '**/spatial/**', '**/data/**', 'express', 'kysely'], allowTypeImports: true, message: 'web/ talks to the service over HTTP; import only types from it (see docs/ARCHITECTURE.md).' },
      ] }],
    },
  },
  {
    files: ['**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
);
