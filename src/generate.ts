/**
 * The pipeline: read → parse → load → lower → emit → write (or check). Errors that point into
 * the spec are located (file:line:col) here, where both the text and the pointer are known.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from './diagnostics.js';
import { SpecError, toPointer } from './diagnostics.js';
import { emitProject, type ProjectFile } from './emit/project.js';
import { headerText } from './emit/header.js';
import { loadOpenApi, readSource } from './load/openapi.js';
import { locator, parseText, type Locate, type Position } from './load/parse-text.js';
import type { OperationFilter } from './lower/openapi/filter.js';
import { lowerOpenApi } from './lower/openapi/index.js';
import { aggregate, checkStructure, isToolSpec, located, parseToolSpec } from './load/toolspec.js';
import { lowerToolSpec } from './lower/toolspec/index.js';
import { verifyTools } from './passes/verify.js';
import { applyViews } from './passes/views.js';
import type { ClientName } from './choices.js';
import { applyClientProfile, MIN_NAME_BUDGET, nameBudget, PROFILES, type Repair } from './passes/clients.js';
import { listedTool } from './runtime/listing.js';
import type { ServerDefinition } from './runtime/definition.js';
import type { TestSamples } from './emit/contract-cases.js';
import type { SchemaValidator } from './runtime/validate.js';
import { hasChanges, planWrite, writeProject, type WritePlan } from './write.js';

export interface DefinitionOptions {
  spec: string;
  name?: string;
  baseUrl?: string;
  maxNameLength: number;
  /** Client profile whose rules the tools must meet (default: portable, all of them). */
  client?: ClientName;
  allowRemoteRefs: boolean;
  filter?: OperationFilter;
  /** MCP App views of tool results (default on). */
  apps?: 'on' | 'off';
  /** Lint: compile every schema however large the API (generation does so up to a size), and locate every repair. */
  fullCheck?: boolean;
}

export interface GenerateOptions extends DefinitionOptions {
  outDir?: string;
  transport: 'stdio' | 'http';
  mode: 'tools' | 'dynamic';
  force: boolean;
  check: boolean;
  /** Most tools that call an API given emitted contract cases (a deterministic sample beyond). */
  testBudget?: number;
}

export interface GenerateResult {
  outDir: string;
  definition: ServerDefinition;
  files: ProjectFile[];
  warnings: Array<Diagnostic & { location: string }>;
  repairs: Array<Repair & { location: string }>;
  plan: WritePlan & { backups?: string[] };
  /** --check only: the output on disk differs from what would be generated. */
  stale: boolean;
  /** The tools/list result a client receives, as JSON text, and its size. */
  toolsListText: string;
  toolsListBytes: number;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

/** Text and pointer → `file:line:col`; the pointer is printed when the text cannot be mapped. */
async function describeLocation(
  spec: string,
  locate: Locate | undefined,
  pointer: readonly (string | number)[] | undefined,
  position?: Position,
): Promise<string> {
  const pos = position ?? (pointer && locate ? await locate(pointer) : undefined);
  if (pos) return `${spec}:${pos.line}:${pos.col}`;
  return pointer && pointer.length ? `${spec} (at ${toPointer(pointer)})` : spec;
}

export interface LoadedDefinition {
  definition: ServerDefinition;
  warnings: Array<Diagnostic & { location: string }>;
  /** What the client profile changed, per tool (lint lists them; generation counts them). */
  repairs: Array<Repair & { location: string }>;
  /** Files copied into the project as they are (tool specs: SQL seeds). */
  assets?: Array<{ path: string; contents: string }>;
  /** npm packages the user's handlers import (tool specs). */
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Tool specs: step fixtures and examples for the contract test. */
  samples?: TestSamples;
  /** Validates with the schemas verification compiled (the contract cases reuse them). */
  validator: SchemaValidator;
}

/** What a lowering gives the passes after it, whichever the input. */
interface Lowered {
  definition: ServerDefinition;
  warnings: Diagnostic[];
  /** file:line:col of a pointer into this spec. */
  where: (pointer: readonly (string | number)[] | undefined) => Promise<string>;
  assets?: LoadedDefinition['assets'];
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  samples?: TestSamples;
}

/** read → parse → load → lower → profile → verify, with every diagnostic located in the spec file. */
export async function buildDefinition(options: DefinitionOptions): Promise<LoadedDefinition> {
  const lowered = await lower(options);
  const client = options.client ?? 'portable';
  // One step for both inputs: the client profile's repairs, then what clients would refuse.
  const profiled = applyClientProfile(lowered.definition, client);
  const verified = verifyTools(profiled.definition, { full: options.fullCheck === true });
  const viewed = applyViews(verified.definition, options.apps);
  const viewWarnings: Diagnostic[] = viewed.warnings.map((w) => ({ message: w.message, fix: 'choose another ui: for it, or leave ui: out to have one chosen' }));
  const warnings = await Promise.all([...lowered.warnings, ...verified.warnings, ...viewWarnings].map(async (w) => ({ ...w, location: await lowered.where(w.pointer) })));
  // Generation only counts repairs; locating them parses the whole text again (0.4 s on GitHub's 13 MB).
  const repairs = await Promise.all(profiled.repairs.map(async (r) => ({ ...r, location: options.fullCheck ? await lowered.where(r.pointer) : options.spec })));
  return {
    definition: viewed.definition,
    warnings,
    repairs,
    validator: verified.validator,
    ...(lowered.assets ? { assets: lowered.assets } : {}),
    ...(lowered.dependencies ? { dependencies: lowered.dependencies } : {}),
    ...(lowered.devDependencies ? { devDependencies: lowered.devDependencies } : {}),
    ...(lowered.samples ? { samples: lowered.samples } : {}),
  };
}

/** read → parse → load → lower; a SpecError thrown on the way carries its location. */
async function lower(options: DefinitionOptions): Promise<Lowered> {
  const spec = options.spec;
  let locate: Locate | undefined;
  const where = (pointer: readonly (string | number)[] | undefined, position?: Position) => describeLocation(spec, locate, pointer, position);
  try {
    const text = await readSource(spec);
    locate = locator(text);
    const raw = await parseText(text);
    if (isToolSpec(raw)) return await lowerFromToolSpec(text, options);
    const loaded = await loadOpenApi(spec, raw, { allowRemoteRefs: options.allowRemoteRefs });
    const client = options.client ?? 'portable';
    const lowered = lowerOpenApi(loaded, {
      ...(options.name ? { name: options.name } : {}),
      ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
      ...(isUrl(spec) ? { sourceUrl: spec } : {}),
      maxNameLength: options.maxNameLength,
      client,
      ...(options.filter ? { filter: options.filter } : {}),
    });
    const keyWarning = shortKeyWarning(lowered.definition, client);
    return { definition: lowered.definition, warnings: keyWarning ? [...lowered.warnings, keyWarning] : lowered.warnings, where: (pointer) => where(pointer) };
  } catch (err) {
    if (err instanceof SpecError) {
      for (const e of [err, ...(err.others ?? [])]) {
        e.location ??= await where(e.pointer, (e as SpecError & { position?: Position }).position);
      }
    }
    throw err;
  }
}

/** YAML tool specs: structure (the editor schema), then meaning; every error located. */
async function lowerFromToolSpec(text: string, options: DefinitionOptions): Promise<Lowered> {
  const doc = parseToolSpec(text);
  const structural = checkStructure(doc);
  if (structural.length > 0) throw aggregate(structural);
  const lowered = await lowerToolSpec(doc.value, { specPath: options.spec, ...(options.name ? { name: options.name } : {}) });
  const place = (d: Diagnostic) => located(new SpecError(d), d.pointer ? doc.locate(d.pointer) : undefined);
  if (lowered.errors.length > 0) throw aggregate(lowered.errors.map(place));
  const client = options.client ?? 'portable';
  // Tool spec names are the author's own: over the client's budget they are reported, not cut.
  const budget = nameBudget(PROFILES[client], lowered.definition.server.name, options.maxNameLength);
  const long: Diagnostic[] = lowered.definition.tools
    .filter((t) => t.name.length > budget)
    .map((t) => ({
      message: `tool name ${t.name} is ${t.name.length} characters; --client ${client} leaves ${budget} for server ${lowered.definition.server.name}`,
      pointer: ['tools', t.name],
      fix: `shorten it to ${budget} characters, or give the server a shorter name (server.name or --name)`,
    }));
  const where = async (pointer: readonly (string | number)[] | undefined) => {
    const pos = pointer ? doc.locate(pointer) : undefined;
    return pos ? `${options.spec}:${pos.line}:${pos.col}` : options.spec;
  };
  return {
    definition: lowered.definition,
    warnings: [...lowered.warnings, ...long],
    where,
    assets: lowered.assets,
    dependencies: lowered.dependencies,
    devDependencies: lowered.devDependencies,
    samples: lowered.samples,
  };
}

/** The client prefix of a long server name leaves less than MIN_NAME_BUDGET: say which key fits. */
function shortKeyWarning(definition: ServerDefinition, client: ClientName): Diagnostic | undefined {
  const profile = PROFILES[client];
  const server = definition.server.name;
  const room = profile.nameLimit - profile.prefix(server).length;
  if (room >= MIN_NAME_BUDGET) return undefined;
  const longest = Math.max(...definition.tools.map((t) => t.name.length));
  if (longest <= room) return undefined;
  const keyRoom = server.length - (MIN_NAME_BUDGET - room);
  return {
    message: `server name ${server} is ${server.length} characters: --client ${client} would leave ${room} for tool names, so they are budgeted at ${MIN_NAME_BUDGET}`,
    fix: `register the server under a key of at most ${keyRoom} characters in the client configuration, or generate with --name <shorter>`,
  };
}

/**
 * Handlers are the user's and are never deleted; one whose tool left the spec is only dead code,
 * which deserves a word.
 */
function orphanedHandlers(outDir: string, files: ProjectFile[], spec: string): Array<Diagnostic & { location: string }> {
  const dir = path.join(outDir, 'src', 'handlers');
  if (!existsSync(dir)) return [];
  const wanted = new Set(files.filter((f) => f.userOwned).map((f) => path.basename(f.path)));
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !wanted.has(f))
    .sort()
    .map((f) => ({
      message: `src/handlers/${f} belongs to no tool in the spec any more; it is kept, but nothing calls it`,
      fix: 'delete it, or move its code into the handler of the tool that replaced it',
      location: spec,
    }));
}

/** The tools/list result a client receives, as JSON text. */
export function toolsListText(definition: ServerDefinition): string {
  return JSON.stringify({ tools: definition.tools.map(listedTool) });
}

export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const { definition, warnings, repairs, validator, assets, dependencies, devDependencies, samples } = await buildDefinition(options);
  const spec = options.spec;
  const specFile = isUrl(spec) ? new URL(spec).pathname.split('/').pop() || 'spec' : path.basename(spec);
  const files = await emitProject(definition, {
    specFile,
    transport: options.transport,
    mode: options.mode,
    ...(assets ? { assets } : {}),
    ...(dependencies ? { dependencies } : {}),
    ...(devDependencies ? { devDependencies } : {}),
    ...(options.testBudget !== undefined ? { testBudget: options.testBudget } : {}),
    ...(samples ? { samples } : {}),
    validator,
  });
  const outDir = options.outDir ?? definition.server.name;
  const header = headerText({ specFile });
  // Made once: GitHub's is 1.5 MB, and the CLI counts its tokens too.
  const listText = toolsListText(definition);
  const listed = { toolsListText: listText, toolsListBytes: Buffer.byteLength(listText) };
  warnings.push(...orphanedHandlers(outDir, files, spec));
  if (options.check) {
    const { plan } = planWrite(files, outDir, header);
    return { outDir, definition, files, warnings, repairs, plan, stale: hasChanges(plan), ...listed };
  }
  const plan = writeProject(files, outDir, header, { force: options.force });
  return { outDir, definition, files, warnings, repairs, plan, stale: false, ...listed };
}
