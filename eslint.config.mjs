// The walls of the codebase, held by the linter rather than by memory:
//   engine (lib/queue) ← workloads (lib/*) ← routes and pages (app/)
//   browser code (components/, hooks/, lib/dashboard/client/) never imports server code
//   components may use hooks; hooks never use components
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/** Engine files other code may not import: everything but its index and its browser-safe module. */
const ENGINE_PRIVATE = {
  regex: '^(@/lib/|(\\.\\./)+(lib/)?)queue/(?!browser$)',
  message: 'Import the engine through `@/lib/queue` (or `@/lib/queue/browser` in browser code).',
};

/** Modules a browser bundle must never contain. Type-only imports are erased, so they stay allowed. */
const SERVER_ONLY = [
  {
    // A library folder keeps its browser modules in `client/`.
    regex: '^@/(lib/(?!queue/browser$)(?![^/]+/client/)|drizzle/)',
    allowTypeImports: true,
    message: 'Server code: browser modules may import only `@/lib/*/client/*`, `@/lib/queue/browser` and types.',
  },
  {
    group: ['drizzle-orm', 'drizzle-orm/*', 'postgres', 'server-only', 'node:*', 'next/server', 'next/headers'],
    allowTypeImports: true,
    message: 'Server-side package in browser code.',
  },
];

const restrict = (...patterns) => ['error', { patterns }];

export default tseslint.config(
  {
    ignores: [
      '.next/**',
      '.next-*/**',
      '.data/**',
      'node_modules/**',
      'bench/results/**',
      'test-results/**',
      'playwright-report/**',
      'drizzle/migrations/**',
      'next-env.d.ts',
      '.cache/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A dropped promise is a job that fails with nobody told, or a transaction used after it ended.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      eqeqeq: ['error', 'smart'],
      'no-console': 'off',
    },
  },
  {
    // Tests read answers whose shape is what they assert; typing every JSON body first would only restate it.
    files: ['tests/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { process: 'readonly' } },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'components/**/*.tsx', 'hooks/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },

  // The engine: plain TypeScript that takes its database handle; it knows nothing of the app around it.
  {
    files: ['lib/queue/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        {
          group: ['next', 'next/*', 'react', 'react-dom', 'react/*', '@tanstack/*', 'sonner'],
          message: 'The engine is framework-free.',
        },
        {
          regex: '^@/(app|components|hooks)/|^@/lib/(?!queue(/|$))',
          message: 'The engine imports no workload, route or component.',
        },
      ),
      'no-restricted-properties': [
        'error',
        {
          object: 'process',
          property: 'env',
          message: 'The engine takes its settings as arguments; lib/env.ts reads the environment.',
        },
      ],
    },
  },
  // The browser-safe engine module: nothing that would pull the server into a bundle.
  {
    files: ['lib/queue/browser.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict({
        regex: '^(?!\\./)',
        message: 'lib/queue/browser.ts is imported by browser code: it stands alone.',
      }),
    },
  },
  // Workloads and the server half of the dashboard: through the engine's door, never into the UI.
  {
    files: ['lib/**/*.ts'],
    ignores: ['lib/queue/**', 'lib/*/client/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(ENGINE_PRIVATE, {
        group: ['@/app/*', '@/components/*', '@/hooks/*'],
        message: 'Library code does not import routes, pages, components or hooks.',
      }),
    },
  },
  // Routes, pages and scripts reach the engine through its door too.
  {
    files: ['app/**/*.{ts,tsx}', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(ENGINE_PRIVATE),
    },
  },
  // The schema describes tables; the engine builds on it, not the other way round.
  {
    files: ['drizzle/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict({
        regex: '^(@/|\\.\\./)',
        message: 'The schema imports nothing of the app.',
      }),
    },
  },
  // Browser code.
  {
    files: ['components/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(...SERVER_ONLY, {
        group: ['@/app/*'],
        message: 'Components do not import routes or pages.',
      }),
    },
  },
  {
    files: ['hooks/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(...SERVER_ONLY, {
        group: ['@/components/*', '@/app/*'],
        message: 'Hooks hold state and effects; components render them. A hook never imports a component.',
      }),
    },
  },
  {
    files: ['lib/*/client/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(...SERVER_ONLY, {
        group: ['@/components/*', '@/hooks/*', '@/app/*'],
        message: 'Browser libraries are imported by components and hooks, not the other way round.',
      }),
    },
  },
);
