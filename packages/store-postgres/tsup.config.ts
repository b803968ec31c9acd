import { defineConfig } from 'tsup';

// One entry per driver, so a user of PostgreSQL never loads PGlite's WebAssembly and a user of PGlite never needs
// `pg`. Both drivers are optional peers and stay external. `scim` is the SCIM user store, for users of
// @qdesk/directory (an optional peer) only.
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'pg/index': 'src/pg/index.ts',
    'pglite/index': 'src/pglite/index.ts',
    'scim/index': 'src/scim/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  external: ['pg', '@electric-sql/pglite', '@qdesk/core', '@qdesk/matching', '@qdesk/directory'],
});
