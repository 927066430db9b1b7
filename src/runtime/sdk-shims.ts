/**
 * Stands in for `@modelcontextprotocol/server/_shims` in the bundle (rolldown.config.mjs aliases
 * it here). The SDK's node shim imports its own copy of ajv at module load, about 290 KB that every
 * start parsed and ran, although the SDK only validates with it when a server elicits input, which
 * these servers never do. This shim keeps the SDK's validator and loads it on first use instead.
 * test/unit/sdk-shims.test.ts holds it to the SDK's exports.
 */
import { createRequire } from 'node:module';
import process from 'node:process';

interface JsonSchemaValidator {
  getValidator(schema: unknown): (input: unknown) => unknown;
}

export class DefaultJsonSchemaValidator implements JsonSchemaValidator {
  #validator: JsonSchemaValidator | undefined;

  getValidator(schema: unknown): (input: unknown) => unknown {
    this.#validator ??= new (createRequire(import.meta.url)('@modelcontextprotocol/server/validators/ajv').AjvJsonSchemaValidator)() as JsonSchemaValidator;
    return this.#validator.getValidator(schema);
  }
}

export { process };
