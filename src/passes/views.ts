/**
 * Chooses each tool's MCP App view from its outputSchema: a table for a list of objects, a line
 * chart for numbers over dates or times, a card for other objects, formatted JSON for the rest.
 * A spec's own choice (`ui:` in a tool spec, `x-mcp.ui` in OpenAPI) is kept; a table or chart it
 * asks for gets its columns and series from the schema here. Pure: definition in, definition out.
 */
import type { JsonSchema, ServerDefinition, ToolDefinition, ToolView } from '../runtime/definition.js';

/** More columns than a chat pane shows; the rest stay in the raw JSON. */
const MAX_COLUMNS = 12;
const MAX_SERIES = 6;
const MAX_BESIDE_TABLE = 4;

/** `apps: 'off'` (the CLI's `--apps off`) removes every view. */
export function applyViews(definition: ServerDefinition, apps: 'on' | 'off' = 'on'): ServerDefinition {
  return { ...definition, tools: definition.tools.map((tool) => withView(tool, apps)) };
}

function withView(tool: ToolDefinition, apps: 'on' | 'off'): ToolDefinition {
  const { view: requested, ...rest } = tool;
  if (apps === 'off' || requested?.kind === 'off' || !tool.outputSchema) return requested?.kind === 'custom' && apps === 'on' ? tool : rest;
  const view = requested ? refine(requested, tool.outputSchema) : chooseView(tool.outputSchema);
  return { ...rest, view };
}

/** A requested table or chart gets its place and fields from the schema; other kinds need none. */
function refine(requested: ToolView, schema: JsonSchema): ToolView {
  if (requested.kind === 'table') return findTable(schema) ?? requested;
  if (requested.kind === 'chart') return findSeries(schema, [], true) ?? requested;
  return requested;
}

/** The view a result of this schema reads best in. */
export function chooseView(schema: JsonSchema): ToolView {
  return findSeries(schema, []) ?? findTable(schema) ?? (isObject(schema) ? { kind: 'card' } : { kind: 'json' });
}

/**
 * A property holding a list of objects, beside at most a few plain fields (a count, a cursor, the
 * column names): a page of results. An entity that merely has a list (a pet and its tags) is a card.
 */
function findTable(schema: JsonSchema): ToolView | undefined {
  const entries = Object.entries(properties(schema));
  const lists = entries.filter(([, s]) => isObjectList(s));
  const only = lists.length === 1 ? lists[0] : undefined;
  if (!only) return undefined;
  const others = entries.filter(([key]) => key !== only[0]);
  if (others.length > MAX_BESIDE_TABLE || others.some(([, s]) => isObject(s) || isObjectList(s))) return undefined;
  const [key, list] = only;
  return { kind: 'table', at: [key], columns: Object.keys(properties(items(list))).slice(0, MAX_COLUMNS) };
}

/**
 * Numbers over dates or times, at the root or one property down: either side-by-side arrays
 * (`{ time: [...], temp: [...] }`, as weather APIs answer) or a list of rows with a time field
 * whose other fields are mostly numbers (a list of records with one date stays a table).
 */
function findSeries(schema: JsonSchema, at: string[], asked = false): ToolView | undefined {
  const props = properties(schema);
  const arrays = Object.fromEntries(Object.entries(props).filter(([, s]) => types(s).includes('array')).map(([key, s]) => [key, items(s)]));
  const columnar = seriesFields(arrays);
  if (columnar) return { kind: 'chart', at, layout: 'columns', ...columnar };
  for (const [key, sub] of Object.entries(props)) {
    if (isObjectList(sub)) {
      const row = properties(items(sub));
      const fields = seriesFields(row);
      // Unless the spec asked for a chart, rows that are mostly not numbers are records: a table.
      if (fields && (asked || fields.series.length * 2 >= Object.keys(row).length - 1)) return { kind: 'chart', at: [...at, key], layout: 'rows', ...fields };
    }
    if (at.length === 0 && isObject(sub)) {
      const nested = findSeries(sub, [key], asked);
      if (nested) return nested;
    }
  }
  return undefined;
}

/** Of fields (by the schema of one value each): the one that says when, and the numbers. */
function seriesFields(fields: Record<string, JsonSchema>): { x: string; series: string[] } | undefined {
  const entries = Object.entries(fields);
  const x = entries.find(([key, s]) => isTemporal(s, key));
  if (!x) return undefined;
  const series = entries.filter(([key, s]) => key !== x[0] && isNumeric(s)).map(([key]) => key).slice(0, MAX_SERIES);
  return series.length > 0 ? { x: x[0], series } : undefined;
}

/** Field names that say "when": time, date, day, timestamp, created_at, … */
const TEMPORAL_NAME = /^(time|date|day|timestamp|datetime|period|month|year)s?$|[_-](time|date|at|day)$|[a-z](Time|Date|At)$/;

function isTemporal(schema: JsonSchema, key: string): boolean {
  const t = types(schema);
  if (schema.format === 'date' || schema.format === 'date-time' || schema.format === 'time') return t.includes('string');
  return (t.includes('string') || t.includes('integer')) && TEMPORAL_NAME.test(key);
}

function isNumeric(schema: JsonSchema): boolean {
  const t = types(schema);
  return t.length > 0 && t.every((x) => x === 'number' || x === 'integer' || x === 'null') && !t.every((x) => x === 'null');
}

function isObjectList(schema: JsonSchema): boolean {
  return types(schema).includes('array') && isObject(items(schema));
}

function isObject(schema: JsonSchema): boolean {
  return types(schema).includes('object') || Object.keys(properties(schema)).length > 0;
}

function types(schema: JsonSchema): string[] {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === 'string');
  if (typeof schema.properties === 'object') return ['object'];
  if (typeof schema.items === 'object') return ['array'];
  return [];
}

/** Own properties and those of `allOf` members (the client profiles leave nested allOf in place). */
function properties(schema: JsonSchema): Record<string, JsonSchema> {
  const p = schema.properties;
  const own = p && typeof p === 'object' && !Array.isArray(p) ? (p as Record<string, JsonSchema>) : {};
  const parts = Array.isArray(schema.allOf) ? (schema.allOf as JsonSchema[]).filter((m) => m && typeof m === 'object') : [];
  return parts.length === 0 ? own : Object.assign({}, ...parts.map(properties), own);
}

function items(schema: JsonSchema): JsonSchema {
  const i = schema.items;
  return i && typeof i === 'object' && !Array.isArray(i) ? (i as JsonSchema) : {};
}
