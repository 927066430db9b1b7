/**
 * `mcp-gen lint`: what the tools of a spec will cost and what had to be repaired, per tool,
 * without writing anything. Diagnostics come from the same lowering as generation.
 */
import { groupDigits, type Diagnostic } from './diagnostics.js';
import type { LoadedDefinition } from './generate.js';
import { toolsListText } from './generate.js';
import { describeBinding } from './emit/describe-binding.js';
import type { ToolDefinition } from './runtime/definition.js';
import { listedTool } from './runtime/listing.js';
import { countTokens } from './tokens/count.js';

/** A tool larger than this is worth a look: it costs the context of every session. */
export const LARGE_TOOL_BYTES = 8 * 1024;

export interface Finding {
  severity: 'warning';
  message: string;
  location: string;
}

export interface ToolReport {
  name: string;
  operation: string;
  bytes: number;
  /** o200k_base tokens of the tool's tools/list entry. */
  tokens: number;
  findings: Finding[];
}

export interface LintReport {
  tools: ToolReport[];
  /** Findings in shared parts of the spec (components), not tied to one operation. */
  shared: Finding[];
  total: { tools: number; bytes: number; tokens: number; findings: number };
}

/** Bytes and o200k_base tokens of a piece of the tools/list result. */
export interface Size {
  bytes: number;
  tokens: number;
}

/** The size of each tool's tools/list entry and of the whole listing. */
export interface ListingSizes {
  perTool: Size[];
  total: Size;
}

/** Measures what `lintReport` needs: each tool's entry as the server lists it, and the listing (each serialised once). */
export function measureListing(loaded: LoadedDefinition): ListingSizes {
  const texts = [...loaded.definition.tools.map((tool) => JSON.stringify(listedTool(tool))), toolsListText(loaded.definition)];
  const tokens = countTokens(texts);
  const sizes = texts.map((text, i) => ({ bytes: Buffer.byteLength(text), tokens: tokens[i]! }));
  return { perTool: sizes.slice(0, -1), total: sizes.at(-1)! };
}

/** The tool an OpenAPI pointer (`paths / <route> / <method> / …`) belongs to, if any. */
function ownerOf(pointer: Diagnostic['pointer'], tools: readonly ToolDefinition[]): ToolDefinition | undefined {
  if (pointer?.[0] === 'tools' && pointer.length >= 2) return tools.find((t) => t.name === pointer[1]);
  if (!pointer || pointer[0] !== 'paths' || pointer.length < 3) return undefined;
  const route = String(pointer[1]).replace(/[#?].*$/, '');
  const method = String(pointer[2]).toUpperCase();
  return tools.find((t) => t.binding.kind === 'http' && t.binding.path === route && t.binding.method === method);
}

export function lintReport({ definition, warnings, repairs }: LoadedDefinition, sizes: ListingSizes): LintReport {
  const reports = new Map<string, ToolReport>(
    definition.tools.map((t, i) => [t.name, { name: t.name, operation: describeBinding(t.binding), ...sizes.perTool[i]!, findings: [] }]),
  );
  const shared: Finding[] = [];
  for (const w of [...warnings, ...repairs]) {
    const finding: Finding = { severity: 'warning', message: w.fix ? `${w.message} (fix: ${w.fix})` : w.message, location: w.location };
    const owner = ownerOf(w.pointer, definition.tools);
    if (owner) reports.get(owner.name)!.findings.push(finding);
    else shared.push(finding);
  }
  for (const r of reports.values()) {
    if (r.bytes > LARGE_TOOL_BYTES) {
      r.findings.push({
        severity: 'warning',
        message: `tool definition is ${(r.bytes / 1024).toFixed(1)} KiB (${r.tokens} tokens); consider --exclude, or --mode dynamic`,
        location: r.operation,
      });
    }
  }
  const tools = [...reports.values()];
  const findings = shared.length + tools.reduce((n, t) => n + t.findings.length, 0);
  return { tools, shared, total: { tools: tools.length, ...sizes.total, findings } };
}

/** Plain-text report: a table of tools, then every finding with its location. */
export function formatLintReport(report: LintReport, spec: string): string {
  const lines: string[] = [];
  const width = Math.min(48, Math.max(4, ...report.tools.map((t) => t.name.length)));
  const opWidth = Math.min(60, Math.max(7, ...report.tools.map((t) => t.operation.length)));
  lines.push(`${'tool'.padEnd(width)}  ${'request'.padEnd(opWidth)}  ${'bytes'.padStart(8)}  ${'tokens'.padStart(7)}  findings`);
  // tokens: OpenAI's o200k_base encoding; other models' tokenizers differ by some percent.
  for (const t of report.tools) {
    lines.push(`${t.name.padEnd(width)}  ${t.operation.padEnd(opWidth)}  ${String(t.bytes).padStart(8)}  ${String(t.tokens).padStart(7)}  ${t.findings.length || ''}`);
  }
  lines.push('');
  for (const t of report.tools) for (const f of t.findings) lines.push(`${f.location}: ${f.severity}: ${f.message} [${t.name}]`);
  for (const f of report.shared) lines.push(`${f.location}: ${f.severity}: ${f.message}`);
  const { tools, bytes, tokens, findings } = report.total;
  lines.push(`${spec}: ${tools} tools, tools/list ${(bytes / 1024).toFixed(1)} KiB, ${groupDigits(tokens)} tokens (o200k), ${findings} finding${findings === 1 ? '' : 's'}`);
  return `${lines.join('\n')}\n`;
}
