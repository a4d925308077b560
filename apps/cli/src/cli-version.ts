import { createRequire } from 'node:module';

/** This package's version (dist/main.js and src/ both sit one level below package.json). */
export const cliVersion = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
