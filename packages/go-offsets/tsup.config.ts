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
    // BinaryAnalyzer finds its worker through import.meta.url, which the CommonJS build gets from __filename.
    shims: true,
  },
  {
    // BinaryAnalyzer's worker thread (ESM; both builds of the package start it).
    entry: { 'analysis-worker': 'src/analysis/analysis-worker.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
  },
  {
    // The contributor-facing generator; ESM only (it locates the package via import.meta.url).
    entry: { 'generate-offsets': 'src/generator/generate-offsets-cli.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
  },
]);
