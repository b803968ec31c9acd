import { defineConfig, type Options } from 'tsup';

const common: Options = { dts: true, sourcemap: true, target: 'node20', external: ['vitest'] };

// The testing entry is ESM only: it imports vitest, which cannot be loaded with require(). The two builds run in
// parallel, so neither cleans `dist` (the build script does, before both).
export default defineConfig([
  {
    ...common,
    entry: {
      index: 'src/index.ts',
      'ports/index': 'src/ports/index.ts',
      'machine/index': 'src/machine/index.ts',
      'memory/index': 'src/memory/index.ts',
    },
    format: ['esm', 'cjs'],
  },
  { ...common, entry: { 'testing/index': 'src/testing/index.ts' }, format: ['esm'] },
]);
