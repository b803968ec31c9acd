import { defineConfig, type Options } from 'tsup';

const common: Options = { dts: true, sourcemap: true, target: 'node20', external: ['vitest', '@qdesk/core'] };

// The testing entry (the SCIM user store conformance kit) is ESM only: it imports vitest, which cannot be loaded with
// require(). The two builds run in parallel, so neither cleans `dist` (the build script does, before both).
export default defineConfig([
  { ...common, entry: { index: 'src/index.ts' }, format: ['esm', 'cjs'] },
  { ...common, entry: { 'testing/index': 'src/scim/testing/index.ts' }, format: ['esm'] },
]);
