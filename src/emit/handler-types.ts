/**
 * TypeScript argument and result types for `handler` tools, from their JSON Schemas, written
 * with ts-morph so the declarations are well-formed and formatted. Spec text reaches this file
 * only as quoted property names, string literal types (JSON.stringify) and doc comments with
 * `*\/` neutralised — never as code.
 */
import type { JsonSchema, ToolDefinition } from '../runtime/definition.js';

type Schema = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `analyze_text` → `AnalyzeText`. */
export function typeBaseName(toolName: string): string {
  const words = toolName.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const name = words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(name) ? `Tool${name}` : name || 'Tool';
}

function propertyName(name: string): string {
  return IDENTIFIER.test(name) ? name : JSON.stringify(name);
}

function doc(text: unknown): string[] {
  return typeof text === 'string' && text.trim() ? [text.trim().replace(/\*\//g, '*\\/')] : [];
}

function literal(value: unknown): string {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) ? JSON.stringify(value) : 'unknown';
}

/** A type expression for a schema; anything outside the common subset is `unknown`. */
export function typeOf(schema: unknown, depth = 0): string {
  if (schema === true || schema === undefined) return 'unknown';
  if (schema === false) return 'never';
  if (typeof schema !== 'object' || schema === null || depth > 8) return 'unknown';
  const s = schema as Schema;
  if (Array.isArray(s.enum)) return s.enum.map(literal).join(' | ') || 'never';
  if ('const' in s) return literal(s.const);
  for (const key of ['anyOf', 'oneOf'] as const) {
    if (Array.isArray(s[key])) return (s[key] as unknown[]).map((x) => typeOf(x, depth + 1)).join(' | ');
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  if (types.length === 0) return s.properties ? objectType(s, depth) : 'unknown';
  return types.map((t) => primitive(t, s, depth)).join(' | ');
}

function primitive(type: string, s: Schema, depth: number): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'number':
    case 'integer':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array':
      return `Array<${typeOf(s.items, depth + 1)}>`;
    case 'object':
      return objectType(s, depth);
    default:
      return 'unknown';
  }
}

function objectType(s: Schema, depth: number): string {
  const properties = (s.properties ?? {}) as Record<string, unknown>;
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const members = Object.entries(properties).map(([name, p]) => `${propertyName(name)}${required.has(name) ? '' : '?'}: ${typeOf(p, depth + 1)};`);
  if (s.additionalProperties !== false && (members.length === 0 || s.additionalProperties !== undefined)) members.push('[key: string]: unknown;');
  return `{ ${members.join(' ')} }`;
}

/** src/tool-types.ts: `<Name>Args` and `<Name>Result` for every handler tool. */
export async function emitHandlerTypes(tools: ToolDefinition[], header: string): Promise<string> {
  const { IndentationText, Project, QuoteKind } = await import('ts-morph');
  const project = new Project({ useInMemoryFileSystem: true, manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single } });
  const file = project.createSourceFile('tool-types.ts', `// ${header}\n`);
  for (const tool of tools) {
    const base = typeBaseName(tool.name);
    addObjectInterface(file, `${base}Args`, tool.inputSchema, `Arguments of the ${tool.name} tool (already validated against its input schema).`);
    const result = tool.outputSchema && tool.wrapKey ? (tool.outputSchema.properties as Record<string, JsonSchema>)[tool.wrapKey] : tool.outputSchema;
    if (result && result.type === 'object') {
      addObjectInterface(file, `${base}Result`, result, `What the ${tool.name} handler returns (checked against its output schema).`);
    } else {
      file.addTypeAlias({ name: `${base}Result`, isExported: true, type: result ? typeOf(result) : 'unknown', docs: [`What the ${tool.name} handler returns.`] });
    }
  }
  file.formatText({ indentSize: 2, convertTabsToSpaces: true });
  return file.getFullText();
}

function addObjectInterface(file: import('ts-morph').SourceFile, name: string, schema: JsonSchema, description: string): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  file.addInterface({
    name,
    isExported: true,
    docs: [description],
    properties: Object.entries(properties).map(([prop, p]) => ({
      name: propertyName(prop),
      type: typeOf(p),
      hasQuestionToken: !required.has(prop),
      docs: doc(p.description),
    })),
    ...(schema.additionalProperties === false ? {} : { indexSignatures: [{ keyName: 'key', keyType: 'string', returnType: 'unknown' }] }),
  });
}
