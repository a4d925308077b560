import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

const require = createRequire(import.meta.url);

let validate: ValidateFunction | undefined;

/**
 * Checks a parsed HAR against the HAR 1.2 JSON schema of the `har-schema` package (draft-06), with
 * Ajv 8 and its formats (date-time, uri). Returns Ajv's errors as text; empty when valid.
 */
export function harSchemaErrors(har: unknown): string[] {
  if (!validate) {
    // strict off: har-schema uses keywords no draft defines ("min", "optional"); Ajv ignores them.
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
    const schemas = require('har-schema') as Record<string, object>;
    for (const schema of Object.values(schemas)) ajv.addSchema(schema);
    validate = ajv.getSchema('har.json#')!;
  }
  return validate(har) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}
