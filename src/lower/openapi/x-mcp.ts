/**
 * The `x-mcp` operation extension: `x-mcp: false` leaves an operation out; an object overrides
 * what mcp-gen infers. Checked strictly, because a typo here silently changes a tool.
 */
import type { ToolAnnotations, ToolView } from '../../runtime/definition.js';
import { readUi } from '../ui.js';
import { SpecError } from '../../diagnostics.js';
import { DURATION, durationMs } from '../duration.js';

export interface XMcp {
  exclude: boolean;
  name?: string;
  title?: string;
  description?: string;
  annotations: Omit<ToolAnnotations, 'title'>;
  /** Roles that may use this tool when inbound auth is on. */
  roles?: string[];
  /** This operation's own deadline, replacing the server-wide one (MCP_TIMEOUT_MS). */
  timeoutMs?: number;
  /** Its MCP App view, instead of the one chosen from the response schema. */
  view?: ToolView;
}

const HINTS = ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint'] as const;
const KEYS = ['exclude', 'name', 'title', 'description', 'annotations', 'roles', 'timeout', 'ui'] as const;
/** An hour: longer than any client waits for a tool call. */
const MAX_TIMEOUT_MS = 3_600_000;

export function readXMcp(raw: unknown, at: readonly (string | number)[]): XMcp {
  if (raw === undefined || raw === true) return { exclude: false, annotations: {} };
  if (raw === false) return { exclude: true, annotations: {} };
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new SpecError({ message: `x-mcp must be false or an object, got ${JSON.stringify(raw)}`, pointer: at });
  }
  const x = raw as Record<string, unknown>;
  for (const key of Object.keys(x)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw new SpecError({ message: `unknown x-mcp key "${key}"`, pointer: [...at, key], fix: `allowed keys: ${KEYS.join(', ')}` });
    }
  }
  const str = (key: 'name' | 'title' | 'description'): string | undefined => {
    const v = x[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v.trim()) throw new SpecError({ message: `x-mcp.${key} must be a non-empty string`, pointer: [...at, key] });
    return v;
  };
  const name = str('name');
  if (name !== undefined && !/^[a-zA-Z0-9_-]{1,64}$/.test(name)) {
    throw new SpecError({ message: `x-mcp.name ${JSON.stringify(name)} is not a valid tool name`, pointer: [...at, 'name'], fix: 'use 1–64 of A-Z a-z 0-9 _ -' });
  }
  if (x.exclude !== undefined && typeof x.exclude !== 'boolean') {
    throw new SpecError({ message: 'x-mcp.exclude must be a boolean', pointer: [...at, 'exclude'] });
  }
  const annotations: XMcp['annotations'] = {};
  if (x.annotations !== undefined) {
    if (!x.annotations || typeof x.annotations !== 'object') throw new SpecError({ message: 'x-mcp.annotations must be an object', pointer: [...at, 'annotations'] });
    for (const [k, v] of Object.entries(x.annotations)) {
      if (!(HINTS as readonly string[]).includes(k)) {
        throw new SpecError({ message: `unknown annotation "${k}"`, pointer: [...at, 'annotations', k], fix: `allowed: ${HINTS.join(', ')}` });
      }
      if (typeof v !== 'boolean') throw new SpecError({ message: `x-mcp.annotations.${k} must be a boolean`, pointer: [...at, 'annotations', k] });
      annotations[k as (typeof HINTS)[number]] = v;
    }
  }
  const out: XMcp = { exclude: x.exclude === true, annotations };
  if (x.roles !== undefined) {
    if (!Array.isArray(x.roles) || x.roles.length === 0 || !x.roles.every((r) => typeof r === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(r))) {
      throw new SpecError({ message: 'x-mcp.roles must be a non-empty list of role names', pointer: [...at, 'roles'], fix: 'e.g. roles: [reader, admin] (letters, digits, _ . : -)' });
    }
    out.roles = [...new Set(x.roles as string[])];
  }
  if (x.timeout !== undefined) out.timeoutMs = readTimeout(x.timeout, [...at, 'timeout']);
  if (x.ui !== undefined) out.view = readUi(x.ui, [...at, 'ui']);
  if (name !== undefined) out.name = name;
  const title = str('title');
  if (title !== undefined) out.title = title;
  const description = str('description');
  if (description !== undefined) out.description = description;
  return out;
}

/** `timeout: 90s` / `500ms` / `2m`, or a number of seconds. */
function readTimeout(raw: unknown, at: readonly (string | number)[]): number {
  const ms = typeof raw === 'number' ? Math.round(raw * 1000) : typeof raw === 'string' && DURATION.test(raw) ? durationMs(raw) : NaN;
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_TIMEOUT_MS) {
    throw new SpecError({
      message: `x-mcp.timeout ${JSON.stringify(raw)} is not a duration between 1 ms and 1 h`,
      pointer: at,
      fix: 'write e.g. timeout: 90s, 500ms or 2m (a bare number is seconds)',
    });
  }
  return ms;
}
