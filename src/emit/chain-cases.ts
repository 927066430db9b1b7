/**
 * Contract cases of tool-spec `http:` tools (step chains), for test/contract-cases.json.
 *
 * Like an OpenAPI operation's case, each is computed here at generation time and frozen: valid
 * arguments synthesised from the input schema, then the chain is run on paper with the runtime's
 * own step builder and JMESPath evaluator, each step answered with the JSON its `fixture:` names
 * (or, for a one-step tool without a `result` mapping, a response synthesised from the tool's
 * `output`). The case records every request in order, each answer, and the final result; the
 * project's test replays the answers from a loopback stub and compares. A project whose
 * server-definition.json (or runtime) drifts from the spec — a step's path, a query template, the
 * result mapping — then fails `npm test` naming the tool.
 *
 * A step with `failIf` gets a second case: an answer that trips it (an emptied or missing part of
 * the fixture, found by evaluating the condition), the error message it must produce, and no
 * request after it.
 */
import { generateSync } from 'json-schema-faker';
import type { RequestStep, ServerDefinition, StepsBinding, ToolDefinition } from '../runtime/definition.js';
import { withDefaults } from '../runtime/arguments.js';
import { isTruthy, stepRequest } from '../runtime/kinds/steps.js';
import { evaluate, renderString } from '../runtime/template.js';
import type { TemplateData } from '../runtime/template.js';
import type { SchemaValidator } from '../runtime/validate.js';
import { boundSizes, expectedResult, hash, invalidCall, onTheWire, ORIGIN, synthesise, validArguments } from './contract-cases.js';
import type { ContractCase, Exchange, Made } from './contract-cases.js';

type ChainTool = ToolDefinition & { binding: StepsBinding };

/** No variables are set in the project's test, so `${env.X}` renders as the runtime renders it there. */
const TEST_ENV: Record<string, string> = {};

export async function chainCases(
  tool: ChainTool,
  def: ServerDefinition,
  validator: SchemaValidator,
  fixtures: Record<string, unknown>,
): Promise<Made<ContractCase[]>> {
  const seed = hash(tool.name).readUInt32BE(0) % 2 ** 31;
  const made = validArguments(tool, validator);
  if ('reason' in made) return { reason: `no valid arguments could be synthesised (${made.reason})` };
  // Templates read the defaults the server fills in for arguments left out.
  const sent = made.value;
  const args = withDefaults(tool, sent);

  const answers = answersFor(tool, seed, validator, fixtures);
  if ('reason' in answers) return answers;

  const run = await runChain(tool, def, args, (step) => answers.value[step.id]);
  if ('reason' in run) return run;
  if ('error' in run) return { reason: `the fixture of step ${run.step} trips its failIf (${run.error}); give a fixture of a successful answer` };
  const invalid = invalidCall(tool, sent, validator);
  const cases: ContractCase[] = [
    {
      tool: tool.name,
      title: `${tool.binding.steps.length === 1 ? 'sends its request' : `sends ${tool.binding.steps.map((s) => s.id).join(' → ')}`} as the spec says and maps the answers to its result`,
      arguments: sent,
      exchanges: run.exchanges,
      result: expectedResult(tool, run.result),
      ...(invalid ? { invalid } : {}),
    },
  ];
  for (const step of tool.binding.steps) {
    if (!step.failIf) continue;
    const tripped = await failIfCase(tool, def, sent, args, step, answers.value);
    if (tripped) cases.push(tripped);
  }
  return cases;
}

/** Each step's answer: its fixture, else (one step, no mapping) a value synthesised from the output schema. */
function answersFor(tool: ChainTool, seed: number, validator: SchemaValidator, fixtures: Record<string, unknown>): Made<{ value: Record<string, unknown> }> {
  const value: Record<string, unknown> = {};
  const steps = tool.binding.steps;
  for (const step of steps) {
    if (step.id in fixtures) {
      value[step.id] = fixtures[step.id];
      continue;
    }
    const schema = tool.outputSchema;
    if (steps.length === 1 && tool.binding.result === undefined && schema) {
      const bounded = boundSizes(schema);
      const made = synthesise<Record<string, unknown>>(seed, (options) => {
        const out = generateSync(bounded as never, options);
        if (typeof out !== 'object' || out === null || Array.isArray(out)) return { reason: 'the output schema does not yield an object' };
        const valid = validator.validateOutput(schema, out);
        return valid.ok ? { value: out as Record<string, unknown> } : { reason: valid.message };
      });
      if ('reason' in made) return { reason: `no valid answer could be synthesised (${made.reason})` };
      value[step.id] = tool.wrapKey ? made.value[tool.wrapKey] : made.value;
      continue;
    }
    return { reason: `step ${step.id} has no fixture: add fixture: <file.json> to the step, with an answer of the API` };
  }
  return { value };
}

type ChainRun = { exchanges: Exchange[]; result: unknown } | { exchanges: Exchange[]; step: string; error: string };

/** The chain as the runtime runs it (kinds/steps.ts), each step answered by `answer`. */
async function runChain(tool: ChainTool, def: ServerDefinition, args: Record<string, unknown>, answer: (step: RequestStep) => unknown): Promise<Made<ChainRun>> {
  const steps: Record<string, unknown> = {};
  const exchanges: Exchange[] = [];
  let response: unknown;
  for (const step of tool.binding.steps) {
    const source = def.sources?.http?.[step.source];
    if (!source) return { reason: `unknown source ${step.source}` };
    let built;
    try {
      built = stepRequest(step, source, ORIGIN, { args, steps, response }, TEST_ENV);
    } catch (err) {
      return { reason: `step ${step.id} cannot be sent (${err instanceof Error ? err.message : String(err)})` };
    }
    const request = await onTheWire(built);
    if ('reason' in request) return { reason: `step ${step.id} cannot be sent (${request.reason})` };
    response = answer(step);
    steps[step.id] = response;
    exchanges.push({ source: step.source, request, response: { json: response } });
    if (step.failIf && isTruthy(evaluate(step.failIf.when, { args, steps, response }))) {
      return { exchanges, step: step.id, error: String(renderString(step.failIf.message, { args, steps, response }, TEST_ENV)) };
    }
  }
  const data: TemplateData = { args, steps, response };
  return { exchanges, result: tool.binding.result === undefined ? response : evaluate(tool.binding.result, data) };
}

/** An answer to `step` that trips its failIf: the fixture with a part emptied or left out, or an empty answer. */
async function failIfCase(
  tool: ChainTool,
  def: ServerDefinition,
  sent: Record<string, unknown>,
  args: Record<string, unknown>,
  step: RequestStep, answers: Record<string, unknown>): Promise<ContractCase | undefined> {
  for (const candidate of trippers(answers[step.id])) {
    const run = await runChain(tool, def, args, (s) => (s.id === step.id ? candidate : answers[s.id]));
    if ('reason' in run || !('error' in run) || run.step !== step.id) continue;
    return {
      tool: tool.name,
      title: `answers the failIf of step ${step.id} with its message and sends nothing after it`,
      arguments: sent,
      exchanges: run.exchanges,
      result: { error: run.error },
    };
  }
  return undefined;
}

function* trippers(answer: unknown): Generator<unknown> {
  if (answer !== null && typeof answer === 'object' && !Array.isArray(answer)) {
    for (const [key, value] of Object.entries(answer)) {
      if (Array.isArray(value)) yield { ...answer, [key]: [] };
      const rest: Record<string, unknown> = { ...answer };
      delete rest[key];
      yield rest;
    }
  }
  if (Array.isArray(answer)) yield [];
  yield {};
  yield null;
}
