/**
 * A checked tool spec document → the server definition (the same IR OpenAPI lowers into), plus
 * the files the project needs besides it (SQL seeds) and the npm packages handlers import.
 * Every problem is collected with its pointer, so one run reports them all.
 */
import path from 'node:path';
import type { Diagnostic } from '../../diagnostics.js';
import type { AuthScheme, JsonSchema, ServerDefinition, ToolAnnotations, ToolBinding, ToolDefinition } from '../../runtime/definition.js';
import { readUi } from '../ui.js';
import { durationMs } from '../duration.js';
import { builtinDefaults, EXPRESSION_OUTPUT, lowerExpression, lowerSteps, lowerSql, SQL_OUTPUT, type BindingContext } from './bindings.js';
import { lowerPrompts, lowerResources, lowerRoles } from './catalog.js';
import { lowerConfig, lowerSources, type Assets, type LoweredSources } from './settings.js';
import type { TemplateScope } from './template-check.js';
import { lowerSamples } from './samples.js';
import { checkSchema, paramsToSchema } from './tool-schema.js';
import { clientToolKey, TOOL_NAME_PATTERN } from '../naming.js';
import type { TestSamples } from '../../emit/contract-cases.js';

type Pointer = readonly (string | number)[];
type Obj = Record<string, unknown>;

export interface LoweredToolSpec {
  definition: ServerDefinition;
  warnings: Diagnostic[];
  errors: Diagnostic[];
  assets: Assets;
  /** npm packages the user's handlers import, and their build-time companions (types). */
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  /** Step fixtures and examples, for the project's contract test. */
  samples: TestSamples;
}

export interface ToolSpecOptions {
  /** Path of the spec file: seeds and resource files resolve against its directory. */
  specPath: string;
  name?: string;
}

const KINDS = ['http', 'sql', 'expression', 'handler', 'builtin'] as const;
export async function lowerToolSpec(spec: Obj, options: ToolSpecOptions): Promise<LoweredToolSpec> {
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const assets: LoweredToolSpec['assets'] = [];
  const specDir = path.dirname(path.resolve(options.specPath));

  const server = spec.server as Obj;
  const name = options.name ?? String(server.name);
  const envPrefix = name.toUpperCase().replace(/[^A-Z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'MCP';
  const auth: AuthScheme[] = [];
  const sources = lowerSources((spec.sources ?? {}) as Obj, auth, errors, assets, specDir);

  const tools: ToolDefinition[] = [];
  const byClientKey = new Map<string, string>();
  for (const [toolName, raw] of Object.entries((spec.tools ?? {}) as Obj)) {
    const key = clientToolKey(toolName);
    const twin = byClientKey.get(key);
    if (twin !== undefined) {
      errors.push({ message: `tools ${twin} and ${toolName} are one name to clients that turn - into _ (OpenAI's Agents SDK: ${key})`, pointer: ['tools', toolName], fix: 'rename one of them' });
    }
    byClientKey.set(key, toolName);
    const tool = await lowerTool(toolName, raw as Obj, ['tools', toolName], sources, errors, warnings);
    if (tool) tools.push(tool);
  }

  const samples = lowerSamples((spec.tools ?? {}) as Obj, tools, specDir, errors);
  const resources = lowerResources((spec.resources ?? {}) as Obj, errors, specDir);
  const prompts = lowerPrompts((spec.prompts ?? {}) as Obj, errors);
  const roles = lowerRoles((spec.roles ?? {}) as Record<string, string[]>, tools, errors, warnings);

  const definition: ServerDefinition = {
    formatVersion: 1,
    server: {
      name,
      version: typeof server.version === 'string' ? server.version : '1.0.0',
      ...(typeof server.title === 'string' ? { title: server.title } : {}),
      ...(typeof server.description === 'string' ? { description: server.description } : {}),
      ...(typeof server.instructions === 'string' ? { instructions: server.instructions } : {}),
      envPrefix,
    },
    baseUrls: [],
    auth,
    tools,
    ...(sources.http && Object.keys(sources.http).length ? { sources: { http: sources.http, ...(sources.sql ? { sql: sources.sql } : {}) } } : sources.sql ? { sources: { sql: sources.sql } } : {}),
    ...(resources.length ? { resources } : {}),
    ...(prompts.length ? { prompts } : {}),
    ...(Object.keys(roles).length ? { roles } : {}),
    ...(spec.config ? { config: lowerConfig(spec.config as Obj) } : {}),
  };
  return { definition, warnings, errors, assets, samples, dependencies: (spec.dependencies ?? {}) as Record<string, string>, devDependencies: (spec.devDependencies ?? {}) as Record<string, string> };
}

async function lowerTool(
  name: string,
  raw: Obj,
  at: Pointer,
  sources: LoweredSources,
  errors: Diagnostic[],
  warnings: Diagnostic[],
): Promise<ToolDefinition | undefined> {
  const before = errors.length;
  if (!TOOL_NAME_PATTERN.test(name)) {
    errors.push({ message: `tool name ${JSON.stringify(name)} is not valid`, pointer: at, fix: 'use 1-64 of A-Z a-z 0-9 _ - (no dots or spaces; clients reject them)' });
  }
  const kinds = KINDS.filter((k) => raw[k] !== undefined);
  if (kinds.length !== 1) {
    errors.push({
      message: kinds.length === 0 ? `tool ${name} has no backend` : `tool ${name} has ${kinds.length} backends (${kinds.join(', ')})`,
      pointer: at,
      fix: `give it exactly one of: ${KINDS.join(', ')}`,
    });
    return undefined;
  }
  const kind = kinds[0]!;
  if (raw.params !== undefined && raw.input !== undefined) {
    errors.push({ message: `tool ${name} has both params and input`, pointer: [...at, 'input'], fix: 'keep one: params is the short form of input' });
  }

  const builtin = kind === 'builtin' ? await builtinDefaults(String((raw.builtin as Obj).name)) : undefined;
  const inputSchema: JsonSchema = raw.params
    ? paramsToSchema(raw.params as Record<string, Record<string, unknown>>)
    : ((raw.input as JsonSchema | undefined) ?? builtin?.input ?? { type: 'object', properties: {}, additionalProperties: false });
  errors.push(...checkSchema(inputSchema, [...at, raw.params ? 'params' : 'input'], 'input').map((d) => (raw.params || raw.input ? d : { ...d, pointer: at })));
  const args = new Set(Object.keys((inputSchema.properties ?? {}) as Obj));
  const requiredArgs = new Set(Array.isArray(inputSchema.required) ? (inputSchema.required as string[]) : []);

  let output = raw.output as JsonSchema | undefined;
  if (output) errors.push(...checkSchema(output, [...at, 'output'], 'output'));
  output ??= kind === 'sql' ? SQL_OUTPUT : kind === 'expression' ? EXPRESSION_OUTPUT : builtin?.output;

  const scope: TemplateScope = { roots: ['args'], args, env: true };
  const binding = await lowerBinding(kind, raw, at, { name, scope, requiredArgs, sources, errors, warnings });
  if (!binding || errors.length > before) return undefined;

  const annotations: ToolAnnotations = { ...defaultAnnotations(binding), ...builtin?.annotations, ...(raw.annotations as ToolAnnotations | undefined) };
  const tool: ToolDefinition = {
    name,
    ...(typeof raw.title === 'string' ? { title: raw.title } : {}),
    description: String(raw.description),
    inputSchema,
    ...(typeof raw.timeout === 'string' ? { timeoutMs: durationMs(raw.timeout) } : {}),
    ...(raw.ui !== undefined ? { view: readUi(raw.ui, [...at, 'ui']) } : {}),
    annotations: typeof raw.title === 'string' && annotations.title === undefined ? { title: raw.title, ...annotations } : annotations,
    binding,
  };
  if (output) {
    if (output.type === 'object') {
      tool.outputSchema = output;
    } else {
      // structuredContent must be an object: other results travel as { result }.
      tool.outputSchema = { type: 'object', properties: { result: output }, required: ['result'] };
      tool.wrapKey = 'result';
    }
  }
  return tool;
}

function defaultAnnotations(binding: ToolBinding): ToolAnnotations {
  switch (binding.kind) {
    case 'steps': {
      const reads = binding.steps.every((s) => s.method === 'GET' || s.method === 'HEAD');
      return reads ? { readOnlyHint: true, idempotentHint: true, openWorldHint: true } : { openWorldHint: true };
    }
    case 'sql':
    case 'expression':
      return { readOnlyHint: true, idempotentHint: true, openWorldHint: false };
    default:
      return {};
  }
}

async function lowerBinding(kind: (typeof KINDS)[number], raw: Obj, at: Pointer, ctx: BindingContext): Promise<ToolBinding | undefined> {
  const body = raw[kind] as Obj;
  const where = [...at, kind];
  switch (kind) {
    case 'http':
      return lowerSteps(body, where, ctx);
    case 'sql':
      return lowerSql(body, where, ctx);
    case 'expression':
      return lowerExpression(body, where, ctx);
    case 'handler':
      return { kind: 'handler', file: typeof body.file === 'string' ? body.file : ctx.name.replace(/[^A-Za-z0-9_-]/g, '_') };
    case 'builtin': {
      const builtinName = body.name as 'web.scrape' | 'http.request';
      const allowHosts = (body.allowHosts as string[] | undefined) ?? [];
      if (builtinName === 'http.request' && allowHosts.length === 0) {
        ctx.errors.push({ message: 'http.request needs allowHosts: the hosts this tool may call', pointer: where, fix: 'add allowHosts: [api.example.com]' });
      }
      return {
        kind: 'builtin',
        name: builtinName,
        allowHosts,
        denyPrivateNetworks: body.denyPrivateNetworks !== false,
        ...(typeof body.maxBytes === 'number' ? { maxBytes: body.maxBytes } : {}),
      };
    }
  }
}

