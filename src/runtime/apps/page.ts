/**
 * A view's page: one self-contained HTML file, the same script for every tool (built from
 * templates/apps/view/ into view-bundle.ts) reading what to show from a JSON block. Spec text
 * (titles, field names) reaches the page only inside that block, escaped so that it cannot end
 * it, and the script writes everything as text. The Content-Security-Policy allows that one
 * script and style by hash, and nothing else: no network, no eval, no other origin.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ToolDefinition, ViewConfig } from '../definition.js';
import { VIEW_SCRIPT, VIEW_SCRIPT_HASH, VIEW_STYLE, VIEW_STYLE_HASH } from './view-bundle.js';

const CSP = `default-src 'none'; script-src '${VIEW_SCRIPT_HASH}'; style-src '${VIEW_STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;
/** A page of the user's own: inline script and style may change, the rest of the policy stays. */
const OWN_PAGE_CSP = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

export async function viewPage(tool: ToolDefinition, projectDir: string): Promise<string> {
  const view = tool.view;
  if (!view || view.kind === 'off') throw new Error(`tool ${tool.name} has no view`);
  // The user's own page, under views/ (the generator checked the name), served as it is.
  if (view.kind === 'custom') {
    const file = path.basename(view.file);
    // The client learns which page is missing, not where the server keeps it.
    return readFile(path.join(projectDir, 'views', file), 'utf8').catch(() => Promise.reject(new Error(`the page views/${file} of ${tool.name}'s view cannot be read`)));
  }
  return standardPage(tool, view);
}

/**
 * The page of a view. `ownPage`: the starting point of a user's own page (views/<name>.html),
 * whose policy lets them edit the inline script and style.
 */
export function standardPage(tool: ToolDefinition, view: ViewConfig['view'], ownPage = false): string {
  const config: ViewConfig = { tool: tool.name, title: tool.title ?? tool.annotations.title ?? tool.name, view };
  return [
    '<!doctype html>',
    ...(ownPage ? [`<!-- The page of ${tool.name}'s MCP App view: yours to edit, regeneration never overwrites it. The script is mcp-gen's view (templates/apps/view/ in mcp-gen); it reads the JSON block. -->`] : []),
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${ownPage ? OWN_PAGE_CSP : CSP}">`,
    `<style>${VIEW_STYLE}</style>`,
    '</head>',
    '<body>',
    `<script type="application/json" id="view-config">${inertJson(config)}</script>`,
    `<script>${VIEW_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** JSON that cannot close its <script> element or open a comment: <, > and & as \u escapes. */
export function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
