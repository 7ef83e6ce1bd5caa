/**
 * Request body schemas are JSON Schema draft 4, the dialect API Gateway models speak. Each is
 * compiled with Ajv's draft-4 build before any resource is made, so a schema API Gateway would
 * refuse at deploy time (or, worse, accept and ignore) fails synth with the validator's reason.
 */
import Ajv04 from 'ajv-draft-04';

/**
 * Why the schema is not a valid draft-4 JSON Schema, or undefined when it is. Unknown keywords are
 * allowed (draft 4 allows them); wrong types of known keywords, unresolvable `$ref`s and a
 * `$schema` of another draft are not.
 */
export function requestBodySchemaProblem(schema: Record<string, unknown>): string | undefined {
  // A validator per schema: schemas may carry the same `id`, which one validator would refuse to hold twice.
  const ajv = new Ajv04({ strict: false, allErrors: true, validateFormats: false });
  try {
    if (!ajv.validateSchema(schema)) {
      return `is not a valid JSON Schema (draft 4): ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`;
    }
    ajv.compile(schema);
  } catch (error) {
    return `is not a usable JSON Schema (draft 4): ${(error as Error).message}`;
  }
  return undefined;
}
