import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: true,
  },
  {
    // The contributor-facing generator; ESM only (it locates the package via import.meta.url).
    entry: { 'generate-offsets': 'src/generator/generate-offsets-cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
  },
]);
