import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources in tests (the `qdesk-source` export condition), so no
// build is needed before `vitest`.
const source = 'qdesk-source';
// Vite's own defaults (defaultClientConditions / defaultServerConditions), which setting `conditions` replaces.
const client = ['module', 'browser', 'development|production'];
const server = ['module', 'node', 'development|production'];

export default defineConfig({
  resolve: { conditions: [source, ...client] },
  ssr: { resolve: { conditions: [source, ...server], externalConditions: [source] } },
  test: {
    include: [
      'packages/*/src/**/*.test.ts',
      'packages/*/examples/**/*.test.ts',
      'examples/*/src/**/*.test.ts',
      'examples/insight-app/cli/**/*.test.ts',
      'examples/reset-gate/**/*.test.ts',
      'examples/*/e2e/**/*.test.ts',
      'readme.test.ts',
      'docs/**/*.test.ts',
      'scripts/**/*.test.ts',
    ],
    exclude: ['**/node_modules/**', '**/dist/**', 'docs/api/**'],
    // Type tests (`*.test-d.ts`, `expectTypeOf` and `@ts-expect-error`) are checked by tsc, not run. Their tsconfig
    // includes only them (tsc follows their imports), so each package's files are checked once, by its own build.
    typecheck: {
      enabled: true,
      include: ['packages/*/src/**/*.test-d.ts'],
      tsconfig: 'tsconfig.type-tests.json',
    },
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
  },
});
