/**
 * JSON Schema validation of tool inputs and upstream outputs (draft 2020-12).
 *
 * Schemas are compiled on first use and cached: compiling 10,000 tool schemas at start-up
 * would dominate start time while most tools are never called in a session.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { JsonSchema } from './definition.js';

// ajv-formats is CommonJS; under NodeNext the default import is the module object.
const addFormats = addFormatsModule.default;

export type ValidationOutcome = { ok: true } | { ok: false; message: string };

type Compiled = { validate: ValidateFunction } | { error: string };

export class SchemaValidator {
  /** Instance options to retry with when the primary instance refuses a schema, in order. */
  private readonly fallbacks: Array<{ unicodeRegExp?: boolean }>;

  /**
   * `primary`: an instance that has already compiled these schemas (the generator verifies them,
   * strictly, before it synthesises test data); ajv keeps compiled schemas keyed by object, so
   * nothing is compiled twice. What it refuses is retried as this server would compile it.
   */
  constructor(private primary?: Ajv2020) {
    this.fallbacks = primary ? [{}, { unicodeRegExp: false }] : [{ unicodeRegExp: false }];
  }

  // Keyed by schema object identity, which is stable for the life of the definition.
  private readonly cache = new WeakMap<JsonSchema, Compiled>();

  /**
   * Validates `value`; `subject` is only used in messages. A schema that cannot be compiled
   * yields a failed outcome rather than an exception, so one bad schema never crashes the
   * server.
   */
  validate(schema: JsonSchema, value: unknown): { ok: true } | { ok: false; errors: ErrorObject[] } | { ok: false; compileError: string } {
    const compiled = this.compile(schema);
    if ('error' in compiled) return { ok: false, compileError: compiled.error };
    if (compiled.validate(value)) return { ok: true };
    return { ok: false, errors: compiled.validate.errors ?? [] };
  }

  /** Input validation with a message aimed at the model that produced the arguments. */
  validateArguments(toolName: string, schema: JsonSchema, args: unknown): ValidationOutcome {
    const result = this.validate(schema, args);
    if (result.ok) return result;
    if ('compileError' in result) {
      return {
        ok: false,
        message: `Tool "${toolName}" cannot be called: its input schema is invalid (${result.compileError})`,
      };
    }
    return { ok: false, message: `Invalid arguments for tool "${toolName}": ${describeError(result.errors[0], 'argument')}` };
  }

  /** Output validation; the message is about the upstream response, not the caller. */
  validateOutput(schema: JsonSchema, value: unknown): ValidationOutcome {
    const result = this.validate(schema, value);
    if (result.ok) return result;
    if ('compileError' in result) return { ok: false, message: `the output schema is invalid (${result.compileError})` };
    return { ok: false, message: describeError(result.errors[0], 'property') };
  }

  private compile(schema: JsonSchema): Compiled {
    const cached = this.cache.get(schema);
    if (cached) return cached;
    let compiled: Compiled | undefined;
    try {
      compiled = { validate: this.ajv().compile(schema) };
    } catch (firstError) {
      // Fresh instances get past the common real-world failures: a duplicate `$id` already
      // registered by another tool, and patterns that are only valid without the regex `u` flag.
      for (const extra of this.fallbacks) {
        try {
          compiled = { validate: createAjv(extra).compile(schema) };
          break;
        } catch {
          // the next one, or the first error
        }
      }
      compiled ??= { error: firstError instanceof Error ? firstError.message : String(firstError) };
    }
    this.cache.set(schema, compiled);
    return compiled;
  }

  private ajv(): Ajv2020 {
    this.primary ??= createAjv({});
    return this.primary;
  }
}

function createAjv(extra: { unicodeRegExp?: boolean }): Ajv2020 {
  // strict off: OpenAPI schemas carry keywords (example, xml, discriminator, nullable…) and
  // formats (int32, byte…) that are documentation, not validation.
  const ajv = new Ajv2020({ strict: false, allErrors: false, logger: false, ...extra });
  addFormats(ajv);
  return ajv;
}

/** Turns the first ajv error into a sentence that names the offending argument. */
export function describeError(error: ErrorObject | undefined, noun: 'argument' | 'property'): string {
  if (!error) return 'validation failed';
  const at = error.instancePath;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required': {
      const name = String(params['missingProperty']);
      return at ? `missing required property "${name}" at ${at}` : `missing required ${noun} "${name}"`;
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const name = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
      return at ? `unexpected property "${name}" at ${at}` : `unexpected ${noun} "${name}"`;
    }
    case 'enum': {
      const allowed = Array.isArray(params['allowedValues'])
        ? params['allowedValues'].map((v) => JSON.stringify(v)).join(', ')
        : '';
      return `${at || '(root)'} must be one of ${allowed}`;
    }
    case 'const':
      return `${at || '(root)'} must be ${JSON.stringify(params['allowedValue'])}`;
    default:
      return `${at || '(root)'} ${error.message ?? 'is invalid'}`;
  }
}
