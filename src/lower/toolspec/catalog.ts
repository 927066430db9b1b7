/** A tool spec's `resources:`, `prompts:` and `roles:` → the definition's parts. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import picomatch from 'picomatch';
import type { Diagnostic } from '../../diagnostics.js';
import type { PromptDefinition, ResourceDefinition, ToolDefinition } from '../../runtime/definition.js';
import { checkTemplate, type TemplateScope } from './template-check.js';

type Obj = Record<string, unknown>;

const BUILTIN_URIS = ['config://server/settings', 'metrics://server/stats', 'logs://server/recent'];
const MIME_BY_EXTENSION: Record<string, string> = { '.md': 'text/markdown', '.json': 'application/json', '.yaml': 'application/yaml', '.yml': 'application/yaml', '.csv': 'text/csv', '.html': 'text/html' };

export function lowerResources(raw: Obj, errors: Diagnostic[], specDir: string): ResourceDefinition[] {
  const out: ResourceDefinition[] = [];
  const uris = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const at = ['resources', name];
    const r = value as Obj;
    const uri = String(r.uri);
    if (BUILTIN_URIS.includes(uri)) {
      errors.push({ message: `${uri} is built into every generated server`, pointer: [...at, 'uri'], fix: 'choose another URI' });
      continue;
    }
    const clash = uris.get(uri);
    if (clash) errors.push({ message: `resource ${name} has the same uri as resource ${clash}`, pointer: [...at, 'uri'] });
    uris.set(uri, name);
    if ((r.text === undefined) === (r.file === undefined)) {
      errors.push({ message: `resource ${name} needs exactly one of text and file`, pointer: at });
      continue;
    }
    let text = typeof r.text === 'string' ? r.text : '';
    if (typeof r.file === 'string') {
      const file = path.resolve(specDir, r.file);
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        errors.push({ message: `resource file ${r.file} cannot be read (looked in ${file})`, pointer: [...at, 'file'], fix: 'the path is relative to the spec file' });
        continue;
      }
    }
    const mimeType = typeof r.mimeType === 'string' ? r.mimeType : (typeof r.file === 'string' && MIME_BY_EXTENSION[path.extname(r.file)]) || 'text/plain';
    out.push({
      uri,
      name,
      ...(typeof r.title === 'string' ? { title: r.title } : {}),
      ...(typeof r.description === 'string' ? { description: r.description } : {}),
      mimeType,
      text,
    });
  }
  return out;
}

export function lowerPrompts(raw: Obj, errors: Diagnostic[]): PromptDefinition[] {
  return Object.entries(raw).map(([name, value]) => {
    const p = value as Obj;
    const args = Object.entries((p.arguments ?? {}) as Record<string, Obj>).map(([argName, a]) => ({
      name: argName,
      ...(typeof a.description === 'string' ? { description: a.description } : {}),
      required: a.required === true,
    }));
    const scope: TemplateScope = { roots: ['args'], args: new Set(args.map((a) => a.name)), env: false };
    const messages = (p.messages as Array<{ role: 'user' | 'assistant'; text: string }>).map((m, i) => {
      errors.push(...checkTemplate(m.text, scope, ['prompts', name, 'messages', i, 'text']));
      return { role: m.role, text: m.text };
    });
    return {
      name,
      ...(typeof p.title === 'string' ? { title: p.title } : {}),
      ...(typeof p.description === 'string' ? { description: p.description } : {}),
      arguments: args,
      messages,
    };
  });
}

export function lowerRoles(raw: Record<string, string[]>, tools: ToolDefinition[], errors: Diagnostic[], warnings: Diagnostic[]): Record<string, string[]> {
  const names = tools.map((t) => t.name);
  for (const [role, patterns] of Object.entries(raw)) {
    patterns.forEach((pattern, i) => {
      const at = ['roles', role, i];
      if (!picomatch.scan(pattern).isGlob) {
        if (!names.includes(pattern)) errors.push({ message: `role ${role} names unknown tool ${JSON.stringify(pattern)}`, pointer: at, fix: `tools: ${names.join(', ')}` });
      } else if (!names.some((n) => picomatch.isMatch(n, pattern))) {
        warnings.push({ message: `role ${role}: ${JSON.stringify(pattern)} matches no tool`, pointer: at });
      }
    });
  }
  return raw;
}
