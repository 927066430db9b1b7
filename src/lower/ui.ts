/**
 * A spec's choice of MCP App view for a tool: `ui: table | card | chart | json | off` or
 * `ui: { html: views/<name>.html }` (the user's own page), from a tool spec's tool or an
 * OpenAPI operation's `x-mcp`. src/passes/views.ts fills in a table's columns and a chart's series.
 */
import { SpecError } from '../diagnostics.js';
import type { ToolView } from '../runtime/definition.js';

export const UI_CHOICES = ['table', 'card', 'chart', 'json', 'off'] as const;
/** Under the project's views/ directory, a plain name: the server serves nothing else. */
export const VIEW_FILE = /^views\/[A-Za-z0-9_-]{1,64}\.html$/;

export function readUi(raw: unknown, at: readonly (string | number)[]): ToolView {
  if (typeof raw === 'string' && (UI_CHOICES as readonly string[]).includes(raw)) {
    const kind = raw as (typeof UI_CHOICES)[number];
    if (kind === 'table') return { kind, at: [], columns: [] };
    if (kind === 'chart') return { kind, at: [], layout: 'columns', x: '', series: [] };
    return { kind };
  }
  if (raw && typeof raw === 'object' && !Array.isArray(raw) && Object.keys(raw).length === 1 && typeof (raw as { html?: unknown }).html === 'string') {
    const html = (raw as { html: string }).html;
    if (VIEW_FILE.test(html)) return { kind: 'custom', file: html.slice('views/'.length) };
    throw new SpecError({ message: `ui.html ${JSON.stringify(html)} is not a page under views/`, pointer: [...at, 'html'], fix: 'name a file views/<name>.html (letters, digits, _ and -)' });
  }
  throw new SpecError({ message: `ui must be one of ${UI_CHOICES.join(', ')} or { html: views/<name>.html }, got ${JSON.stringify(raw)}`, pointer: [...at], fix: 'e.g. ui: table' });
}
