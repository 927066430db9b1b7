/**
 * Chooses each tool's MCP App view from its outputSchema: a table for a list of objects, a line
 * chart for numbers over dates or times, a card for other objects, formatted JSON for the rest.
 * A spec's own choice (`ui:` in a tool spec, `x-mcp.ui` in OpenAPI) is kept; a table or chart it
 * asks for gets its columns and series from the schema here, and a warning when the schema has
 * none to give. Pure: definition in, definition and warnings out.
 */
import { SpecError } from '../diagnostics.js';
import type { JsonSchema, ServerDefinition, ToolDefinition, ToolView } from '../runtime/definition.js';

/** More columns than a chat pane shows; the rest stay in the raw JSON. */
const MAX_COLUMNS = 12;
const MAX_SERIES = 6;
const MAX_BESIDE_TABLE = 4;

export interface ViewWarning {
  tool: string;
  message: string;
}

/** `apps: 'off'` (the CLI's `--apps off`) removes every view. */
export function applyViews(definition: ServerDefinition, apps: 'on' | 'off' = 'on'): { definition: ServerDefinition; warnings: ViewWarning[] } {
  const warnings: ViewWarning[] = [];
  const tools = definition.tools.map((tool) => withView(tool, apps, warnings));
  const pages = new Map<string, string>();
  for (const tool of tools) {
    if (tool.view?.kind !== 'custom') continue;
    const other = pages.get(tool.view.file);
    if (other) throw new SpecError({ message: `views/${tool.view.file} is the page of both ${other} and ${tool.name}`, fix: 'give each tool a page of its own' });
    pages.set(tool.view.file, tool.name);
  }
  return { definition: { ...definition, tools }, warnings };
}

function withView(tool: ToolDefinition, apps: 'on' | 'off', warnings: ViewWarning[]): ToolDefinition {
  const { view: requested, ...rest } = tool;
  if (apps === 'off' || requested?.kind === 'off') return rest;
  if (requested?.kind === 'custom') return tool;
  if (!tool.outputSchema) {
    if (requested) warnings.push({ tool: tool.name, message: `tool ${tool.name} asks for a ${requested.kind} view but declares no output schema: it gets none` });
    return rest;
  }
  const schema = new Schema(tool.outputSchema);
  if (!requested) return { ...rest, view: schema.chooseView() };
  const view = requested.kind === 'table' ? schema.findTable(true) : requested.kind === 'chart' ? schema.findSeries(schema.root, [], true) : requested;
  if (view) return { ...rest, view };
  const fallback = schema.chooseView();
  warnings.push({ tool: tool.name, message: `tool ${tool.name} asks for a ${requested.kind} view, but its output schema has ${requested.kind === 'table' ? 'no list of objects' : 'no numbers over a date or time'}: it gets a ${fallback.kind}` });
  return { ...rest, view: fallback };
}

/** The view a result of this schema reads best in. */
export function chooseView(schema: JsonSchema): ToolView {
  return new Schema(schema).chooseView();
}

/** Field names that say "when": time, date, day, timestamp, created_at, … (strings). */
const TEMPORAL_NAME = /^(time|date|day|timestamp|datetime|period|month|year|week)s?$|[_-](date|at|day|timestamp)$|[a-z](Date|At|Timestamp)$/;
/** Integers that say "when": epoch seconds and years, not durations such as `response_time`. */
const TEMPORAL_INTEGER = /^(time|timestamp|epoch|year|date)s?$/;
/** Numbers that name a thing, not a measure: never a series. */
const IDENTIFIER = /^id$|[_-]id$|[a-z]Id$|^(code|zip|postal_?code|phone)$/i;

/** An output schema, read through its local `$ref`s. */
class Schema {
  constructor(readonly root: JsonSchema) {}

  chooseView(): ToolView {
    return this.findSeries(this.root, [], false) ?? this.findTable(false) ?? (this.isObject(this.root) ? { kind: 'card' } : { kind: 'json' });
  }

  /**
   * A property holding a list of objects, beside at most a few plain fields (a count, a cursor,
   * the column names): a page of results. An entity that merely has a list (a pet and its tags)
   * is a card, unless the spec asked for a table: then the first list of objects.
   */
  findTable(asked: boolean): ToolView | undefined {
    const entries = Object.entries(this.properties(this.root));
    const lists = entries.filter(([, s]) => this.isObjectList(s));
    const chosen = asked ? lists[0] : lists.length === 1 ? lists[0] : undefined;
    if (!chosen) return undefined;
    const others = entries.filter(([key]) => key !== chosen[0]);
    if (!asked && (others.length > MAX_BESIDE_TABLE || others.some(([, s]) => this.isObject(s) || this.isObjectList(s)))) return undefined;
    const [key, list] = chosen;
    return { kind: 'table', at: [key], columns: Object.keys(this.properties(this.items(list))).slice(0, MAX_COLUMNS) };
  }

  /**
   * Numbers over dates or times, at the root or one property down: either side-by-side arrays
   * (`{ time: [...], temp: [...] }`, as weather APIs answer) or a list of rows with a time field
   * whose other fields are mostly numbers (records with a date and an amount stay a table).
   */
  findSeries(schema: JsonSchema, at: string[], asked: boolean): ToolView | undefined {
    const props = this.properties(schema);
    const arrays = Object.fromEntries(Object.entries(props).flatMap(([key, s]) => (this.types(s).includes('array') ? [[key, this.items(s)]] : [])));
    const columnar = this.seriesFields(arrays);
    if (columnar) return { kind: 'chart', at, layout: 'columns', ...columnar };
    for (const [key, sub] of Object.entries(props)) {
      if (this.isObjectList(sub)) {
        const row = this.properties(this.items(sub));
        const fields = this.seriesFields(row);
        if (fields && (asked || fields.series.length * 2 >= Object.keys(row).length - 1)) return { kind: 'chart', at: [...at, key], layout: 'rows', ...fields };
      }
      if (at.length === 0 && this.isObject(sub)) {
        const nested = this.findSeries(sub, [key], asked);
        if (nested) return nested;
      }
    }
    return undefined;
  }

  /** Of fields (by the schema of one value each): the one that says when, and the measures. */
  private seriesFields(fields: Record<string, JsonSchema>): { x: string; series: string[] } | undefined {
    const entries = Object.entries(fields);
    const x = entries.find(([key, s]) => this.isTemporal(s, key));
    if (!x) return undefined;
    const series = entries
      .filter(([key, s]) => key !== x[0] && !IDENTIFIER.test(key) && this.isNumeric(s))
      .map(([key]) => key)
      .slice(0, MAX_SERIES);
    return series.length > 0 ? { x: x[0], series } : undefined;
  }

  private isTemporal(schema: JsonSchema, key: string): boolean {
    const s = this.resolve(schema);
    const t = this.types(s);
    if (s.format === 'date' || s.format === 'date-time' || s.format === 'time') return t.includes('string');
    if (t.includes('string')) return TEMPORAL_NAME.test(key);
    return t.includes('integer') && TEMPORAL_INTEGER.test(key);
  }

  private isNumeric(schema: JsonSchema): boolean {
    const t = this.types(schema);
    return t.some((x) => x === 'number' || x === 'integer') && t.every((x) => x === 'number' || x === 'integer' || x === 'null');
  }

  private isObjectList(schema: JsonSchema): boolean {
    return this.types(schema).includes('array') && this.isObject(this.items(schema));
  }

  private isObject(schema: JsonSchema): boolean {
    return this.types(schema).includes('object') || Object.keys(this.properties(schema)).length > 0;
  }

  private types(schema: JsonSchema): string[] {
    const s = this.resolve(schema);
    const t = s.type;
    if (typeof t === 'string') return [t];
    if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
    if (typeof s.properties === 'object' && s.properties !== null) return ['object'];
    if (typeof s.items === 'object' && s.items !== null) return ['array'];
    return [];
  }

  /** Own properties and those of `allOf` members (the client profiles leave nested allOf in place). */
  private properties(schema: JsonSchema, depth = 0): Record<string, JsonSchema> {
    const s = this.resolve(schema);
    const p = s.properties;
    const own = p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, JsonSchema>) : {};
    const parts = Array.isArray(s.allOf) && depth < 8 ? (s.allOf as unknown[]).filter((m): m is JsonSchema => isSchema(m)) : [];
    return parts.length === 0 ? own : Object.assign({}, ...parts.map((m) => this.properties(m, depth + 1)), own);
  }

  private items(schema: JsonSchema): JsonSchema {
    const i = this.resolve(schema).items;
    return isSchema(i) ? this.resolve(i) : {};
  }

  /** A local `$ref` (the claude and openai profiles keep shared schemas as refs) → its target. */
  private resolve(schema: JsonSchema): JsonSchema {
    let s = schema;
    for (let hops = 0; hops < 16 && typeof s.$ref === 'string' && s.$ref.startsWith('#/'); hops++) {
      let target: unknown = this.root;
      for (const part of s.$ref.slice(2).split('/')) {
        const key = decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~');
        target = isSchema(target) && Object.hasOwn(target, key) ? target[key] : undefined;
      }
      if (!isSchema(target)) return {};
      s = target;
    }
    return s;
  }
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
