/**
 * What a tool spec gives its project's tests besides the tools: the answer each `http:` step is
 * served (`fixture:`, a JSON file beside the spec) and documented calls (`examples:`). They go to
 * test/contract-cases.json only, never into the server definition or code.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import type { TestSamples, ToolExample } from '../../emit/contract-cases.js';
import type { ToolDefinition } from '../../runtime/definition.js';
import { SchemaValidator } from '../../runtime/validate.js';

type Obj = Record<string, unknown>;
type Pointer = readonly (string | number)[];

/** Kinds whose calls need no upstream: an example is a call and its whole outcome. */
const EXAMPLE_KINDS = new Set(['sql', 'expression', 'handler']);

export function lowerSamples(rawTools: Obj, tools: ToolDefinition[], specDir: string, errors: Diagnostic[]): TestSamples {
  const fixtures: NonNullable<TestSamples['fixtures']> = {};
  const examples: NonNullable<TestSamples['examples']> = {};
  let validator: SchemaValidator | undefined;
  for (const tool of tools) {
    const raw = rawTools[tool.name] as Obj;
    const at: Pointer = ['tools', tool.name];
    if (tool.binding.kind === 'steps') {
      const http = raw.http as Obj;
      const steps = (http.steps as Obj[] | undefined) ?? [{ ...http, id: 'main' }];
      const own: Record<string, unknown> = {};
      steps.forEach((step, i) => {
        if (typeof step.fixture !== 'string') return;
        const pointer = http.steps ? [...at, 'http', 'steps', i, 'fixture'] : [...at, 'http', 'fixture'];
        const value = readFixture(step.fixture, specDir, pointer, errors);
        if (value !== undefined && tool.binding.kind === 'steps') own[tool.binding.steps[i]!.id] = value;
      });
      if (Object.keys(own).length > 0) fixtures[tool.name] = own;
    }
    if (raw.examples === undefined) continue;
    if (!EXAMPLE_KINDS.has(tool.binding.kind)) {
      errors.push({
        message: `examples are for tools that send no HTTP requests; ${tool.name} does`,
        pointer: [...at, 'examples'],
        fix: 'give each step a fixture: <file.json> instead: the contract test then checks the requests and the result',
      });
      continue;
    }
    validator ??= new SchemaValidator();
    const checked = (raw.examples as ToolExample[]).filter((example, i) => checkExample(tool, example, [...at, 'examples', i], validator!, errors));
    if (checked.length > 0) examples[tool.name] = checked;
  }
  return {
    ...(Object.keys(fixtures).length ? { fixtures } : {}),
    ...(Object.keys(examples).length ? { examples } : {}),
  };
}

function readFixture(file: string, specDir: string, pointer: Pointer, errors: Diagnostic[]): unknown {
  const resolved = path.resolve(specDir, file);
  let text: string;
  try {
    text = readFileSync(resolved, 'utf8');
  } catch {
    errors.push({ message: `fixture ${file} cannot be read (looked in ${resolved})`, pointer, fix: 'the path is relative to the spec file' });
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    errors.push({ message: `fixture ${file} is not JSON: ${err instanceof Error ? err.message : String(err)}`, pointer, fix: 'a fixture is the JSON body of one answer of the API' });
    return undefined;
  }
}

/** An example must be a valid call with exactly one expected outcome that the tool could give. */
function checkExample(tool: ToolDefinition, example: ToolExample, at: Pointer, validator: SchemaValidator, errors: Diagnostic[]): boolean {
  const before = errors.length;
  if ((example.result === undefined) === (example.error === undefined)) {
    errors.push({ message: 'an example needs exactly one of result and error', pointer: at, fix: 'result: the output it must give, or error: text of the error it must give' });
  }
  // An error example may show arguments being refused; a result example must be a valid call.
  const args = example.error === undefined ? validator.validateArguments(tool.name, tool.inputSchema, example.arguments) : { ok: true as const };
  if (!args.ok) errors.push({ message: `the example's arguments are not valid: ${args.message}`, pointer: [...at, 'arguments'] });
  if (example.result !== undefined && tool.outputSchema) {
    const structured = tool.wrapKey ? { [tool.wrapKey]: example.result } : example.result;
    const out = validator.validateOutput(tool.outputSchema, structured);
    if (!out.ok) errors.push({ message: `the example's result does not match the tool's output: ${out.message}`, pointer: [...at, 'result'] });
  }
  return errors.length === before;
}
