/**
 * Draws a tool result as a table, a line chart, a card or formatted JSON, from the view the
 * generator chose. Upstream data and spec text are untrusted: everything is written with
 * textContent and fixed attribute names, never as HTML.
 */
import type { ViewConfig } from '../../../src/runtime/definition.js';

/** A tool result as the host hands it over (CallToolResult). */
export interface ToolResult {
  content?: Array<{ type: string; text?: string }>;
  structuredContent?: unknown;
  isError?: boolean;
}

type Json = unknown;
const PAGE_ROWS = 25;
const MAX_CELL = 200;
const MAX_DEPTH = 3;
const MAX_DOTS = 400;
const SVG = 'http://www.w3.org/2000/svg';

export function renderPending(root: HTMLElement, config: ViewConfig): void {
  root.replaceChildren(heading(config.title), el('p', { class: 'muted' }, 'Waiting for the result…'));
}

export function render(root: HTMLElement, config: ViewConfig, result: ToolResult): void {
  const data = resultData(result);
  if (result.isError) {
    root.replaceChildren(heading(config.title), el('p', { class: 'error', role: 'alert' }, typeof data === 'string' ? data : JSON.stringify(data)));
    return;
  }
  const view = el('div', { class: 'view' });
  view.append(body(config, data));
  const raw = el('pre', { class: 'raw', hidden: '' }, JSON.stringify(data, null, 2));
  const toggle = el('button', { type: 'button', class: 'toggle', 'aria-pressed': 'false' }, 'Raw JSON');
  toggle.addEventListener('click', () => {
    const showRaw = raw.hidden;
    raw.hidden = !showRaw;
    view.hidden = showRaw;
    toggle.textContent = showRaw ? 'View' : 'Raw JSON';
    toggle.setAttribute('aria-pressed', String(showRaw));
  });
  const header = el('header');
  header.append(heading(config.title), toggle);
  root.replaceChildren(header, view, raw);
}

/** structuredContent, else the first text block read as JSON, else that text. */
function resultData(result: ToolResult): Json {
  if (result.structuredContent !== undefined) return result.structuredContent;
  const text = result.content?.find((c) => c.type === 'text')?.text ?? '';
  try {
    return JSON.parse(text) as Json;
  } catch {
    return text;
  }
}

function body(config: ViewConfig, data: Json): Node {
  const view = config.view;
  switch (view.kind) {
    case 'table': {
      const rows = at(data, view.at);
      if (isObjectList(rows)) return withRest(table(rows, view.columns.length > 0 ? view.columns : keysOf(rows)), data, view.at);
      break;
    }
    case 'chart': {
      const series = seriesOf(at(data, view.at), view);
      if (!series) break;
      // Side-by-side arrays at the root: the other fields of the result come after the chart.
      if (view.at.length === 0 && isPlainObject(data)) {
        const drawn = new Set([view.x, ...view.series]);
        return withRest(chart(series.x, series.lines), Object.fromEntries(Object.entries(data).filter(([key]) => !drawn.has(key))), []);
      }
      return withRest(chart(series.x, series.lines), data, view.at);
    }
    default:
      break;
  }
  return isPlainObject(data) || Array.isArray(data) ? card(data, 0) : json(data);
}

/** The main part, then a card of the other fields of the result (a count, a cursor, a location). */
function withRest(main: Node, data: Json, path: string[]): Node {
  const wrap = el('div');
  wrap.append(main);
  if (path.length <= 1 && isPlainObject(data)) {
    const rest = Object.fromEntries(Object.entries(data).filter(([key]) => key !== path[0]));
    if (Object.keys(rest).length > 0) wrap.append(card(rest, 1));
  }
  return wrap;
}

// -----------------------------------------------------------------------------------------------
// Table

function table(rows: Array<Record<string, Json>>, columns: string[]): HTMLElement {
  const wrap = el('div', { class: 'table' });
  let order: { column: string; dir: 1 | -1 } | undefined;
  let page = 0;
  const draw = () => {
    const sorted = order ? [...rows].sort((a, b) => compare(a[order!.column], b[order!.column], order!.dir)) : rows;
    const pages = Math.max(1, Math.ceil(sorted.length / PAGE_ROWS));
    page = Math.min(page, pages - 1);
    const t = el('table');
    const head = el('tr');
    for (const column of columns) {
      const button = el('button', { type: 'button' }, column + (order?.column === column ? (order.dir === 1 ? ' ▲' : ' ▼') : ''));
      button.addEventListener('click', () => {
        order = order?.column === column && order.dir === 1 ? { column, dir: -1 } : { column, dir: 1 };
        page = 0;
        draw();
      });
      const th = el('th', { scope: 'col', 'aria-sort': order?.column === column ? (order.dir === 1 ? 'ascending' : 'descending') : 'none' });
      th.append(button);
      head.append(th);
    }
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    for (const row of sorted.slice(page * PAGE_ROWS, (page + 1) * PAGE_ROWS)) {
      const tr = el('tr');
      for (const column of columns) tr.append(el('td', {}, cellText(row[column])));
      tbody.append(tr);
    }
    t.append(thead, tbody);
    const parts: Node[] = [t];
    if (pages > 1) parts.push(pager(page, pages, sorted.length, (next) => ((page = next), draw())));
    else parts.push(el('p', { class: 'muted' }, `${rows.length} ${rows.length === 1 ? 'row' : 'rows'}`));
    wrap.replaceChildren(...parts);
  };
  draw();
  return wrap;
}

function pager(page: number, pages: number, total: number, go: (page: number) => void): HTMLElement {
  const nav = el('nav', { class: 'pager', 'aria-label': 'Pages' });
  const prev = el('button', { type: 'button' }, 'Previous');
  const next = el('button', { type: 'button' }, 'Next');
  if (page === 0) prev.setAttribute('disabled', '');
  if (page === pages - 1) next.setAttribute('disabled', '');
  prev.addEventListener('click', () => go(page - 1));
  next.addEventListener('click', () => go(page + 1));
  nav.append(prev, el('span', {}, `Page ${page + 1} of ${pages} (${total} rows)`), next);
  return nav;
}

/** Ascending or descending, with empty cells last either way. */
function compare(a: Json, b: Json, dir: 1 | -1): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1;
  if (b === undefined || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') return (a - b) * dir;
  return cellText(a).localeCompare(cellText(b), undefined, { numeric: true }) * dir;
}

/** A value on one line: objects as `key: value` pairs, lists joined with commas, deeper levels as JSON. */
function cellText(value: Json): string {
  const text = inline(value, 0);
  return text.length > MAX_CELL ? `${text.slice(0, MAX_CELL)}…` : text;
}

function inline(value: Json, depth: number): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'object') return String(value);
  if (depth > 1) return JSON.stringify(value);
  if (Array.isArray(value)) return value.map((item) => inline(item, depth + 1)).join(isPlainObject(value[0]) ? '; ' : ', ');
  return Object.entries(value)
    .map(([key, item]) => `${key}: ${inline(item, depth + 1)}`)
    .join(', ');
}

// -----------------------------------------------------------------------------------------------
// Chart

interface Line {
  name: string;
  values: Array<number | null>;
}

function seriesOf(value: Json, view: Extract<ViewConfig['view'], { kind: 'chart' }>): { x: string[]; lines: Line[] } | undefined {
  const num = (v: Json) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  let xs: Json[];
  let lines: Line[];
  if (view.layout === 'columns') {
    if (!isPlainObject(value) || !Array.isArray(value[view.x])) return undefined;
    xs = value[view.x] as Json[];
    lines = view.series.filter((s) => Array.isArray(value[s])).map((s) => ({ name: s, values: xs.map((_, i) => num((value[s] as Json[])[i])) }));
  } else {
    if (!isObjectList(value)) return undefined;
    xs = value.map((row) => row[view.x]);
    lines = view.series.map((s) => ({ name: s, values: value.map((row) => num(row[s])) }));
  }
  if (lines.length === 0 || xs.length === 0) return undefined;
  // Time runs left to right even when the API answers newest first.
  const order = xs.map((_, i) => i);
  const sortable = xs.every((x) => typeof x === 'number') || xs.every((x) => typeof x === 'string' && /^\d{4}-\d{2}/.test(x));
  if (sortable) order.sort((a, b) => (xs[a]! < xs[b]! ? -1 : xs[a]! > xs[b]! ? 1 : a - b));
  return { x: order.map((i) => cellText(xs[i])), lines: lines.map((l) => ({ name: l.name, values: order.map((i) => l.values[i] ?? null) })) };
}

function chart(x: string[], lines: Line[]): HTMLElement {
  const width = 640;
  const height = 260;
  const pad = { left: 56, right: 16, top: 16, bottom: 40 };
  let min = Infinity;
  let max = -Infinity;
  for (const line of lines) for (const v of line.values) if (v !== null) (min = Math.min(min, v)), (max = Math.max(max, v));
  if (!Number.isFinite(min)) (min = 0), (max = 1);
  if (min === max) (min -= 1), (max += 1);
  const px = (i: number) => pad.left + (x.length === 1 ? (width - pad.left - pad.right) / 2 : (i * (width - pad.left - pad.right)) / (x.length - 1));
  const py = (v: number) => pad.top + ((max - v) * (height - pad.top - pad.bottom)) / (max - min);

  const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', class: 'chart' });
  svg.append(svgEl('title', {}, `${lines.map((l) => l.name).join(', ')} by ${x[0]} to ${x[x.length - 1]}`));
  svg.append(svgEl('line', { x1: pad.left, y1: height - pad.bottom, x2: width - pad.right, y2: height - pad.bottom, class: 'axis' }));
  svg.append(svgEl('line', { x1: pad.left, y1: pad.top, x2: pad.left, y2: height - pad.bottom, class: 'axis' }));
  svg.append(svgEl('text', { x: pad.left - 6, y: py(max) + 4, class: 'label end' }, formatNumber(max)));
  svg.append(svgEl('text', { x: pad.left - 6, y: py(min) + 4, class: 'label end' }, formatNumber(min)));
  svg.append(svgEl('text', { x: px(0), y: height - pad.bottom + 18, class: 'label' }, x[0] ?? ''));
  if (x.length > 1) svg.append(svgEl('text', { x: px(x.length - 1), y: height - pad.bottom + 18, class: 'label end' }, x[x.length - 1] ?? ''));
  lines.forEach((line, n) => {
    const g = svgEl('g', { class: `series s${n % 6}`, 'data-series': line.name });
    // A missing value breaks the line rather than bridging the gap.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) g.append(svgEl('polyline', { points: run.join(' ') }));
      run = [];
    };
    line.values.forEach((v, i) => (v === null ? flush() : run.push(`${px(i).toFixed(1)},${py(v).toFixed(1)}`)));
    flush();
    // Past a few hundred points the dots are a smear that only slows the page: the line says it.
    line.values.forEach((v, i) => {
      if (v === null || x.length > MAX_DOTS) return;
      const dot = svgEl('circle', { cx: px(i).toFixed(1), cy: py(v).toFixed(1), r: 3.5, class: 'point' });
      dot.append(svgEl('title', {}, `${x[i]}: ${line.name} ${formatNumber(v)}`));
      g.append(dot);
    });
    svg.append(g);
  });
  const legend = el('ul', { class: 'legend' });
  lines.forEach((line, n) => legend.append(el('li', { class: `s${n % 6}` }, line.name)));
  const figure = el('figure', { class: 'chart' });
  figure.append(svg, legend);
  return figure;
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
}

// -----------------------------------------------------------------------------------------------
// Card and JSON

function card(value: Record<string, Json> | Json[], depth: number): HTMLElement {
  if (Array.isArray(value)) {
    if (isObjectList(value)) return table(value, keysOf(value));
    return el('p', {}, value.map(cellText).join(', '));
  }
  const section = el('div', { class: 'card' });
  const fields = el('dl');
  const nested: HTMLElement[] = [];
  for (const [key, item] of Object.entries(value)) {
    if ((isPlainObject(item) || isObjectList(item)) && depth < MAX_DEPTH && Object.keys(item).length > 0) {
      const sub = el('section');
      sub.append(el(depth === 0 ? 'h2' : 'h3', {}, key), card(item, depth + 1));
      nested.push(sub);
    } else {
      fields.append(el('dt', {}, key), el('dd', {}, Array.isArray(item) ? item.map(cellText).join(', ') : cellText(item)));
    }
  }
  if (fields.childElementCount > 0) section.append(fields);
  section.append(...nested);
  return section;
}

function json(value: Json): HTMLElement {
  return el('pre', { class: 'json' }, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
}

// -----------------------------------------------------------------------------------------------
// Helpers

function heading(title: string): HTMLElement {
  return el('h1', {}, title);
}

function at(data: Json, path: string[]): Json {
  let value = data;
  for (const key of path) value = isPlainObject(value) ? value[key] : undefined;
  return value;
}

function keysOf(rows: Array<Record<string, Json>>): string[] {
  const keys = new Set<string>();
  for (const row of rows.slice(0, 50)) for (const key of Object.keys(row)) keys.add(key);
  return [...keys].slice(0, 12);
}

function isPlainObject(value: Json): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isObjectList(value: Json): value is Array<Record<string, Json>> {
  return Array.isArray(value) && value.length > 0 && value.every(isPlainObject);
}

function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function svgEl(tag: string, attrs: Record<string, string | number> = {}, text?: string): SVGElement {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}
