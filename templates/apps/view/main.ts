/**
 * The script of every generated MCP App view: reads what to show from the page's JSON block,
 * connects to the host through the ext-apps bridge, and draws each tool result it is handed.
 * Built into src/runtime/apps/view-bundle.ts by test/scripts/view-bundle.mjs.
 */
import { App } from '@modelcontextprotocol/ext-apps';
import type { ViewConfig } from '../../../src/runtime/definition.js';
import { render, renderPending } from './render.js';

const config = JSON.parse(document.getElementById('view-config')?.textContent ?? '{}') as ViewConfig;
document.title = config.title;
const root = document.createElement('main');
document.body.append(root);
renderPending(root, config);

const app = new App({ name: `${config.tool} view`, version: '1.0.0' });
app.ontoolresult = (result) => render(root, config, result);
app.onhostcontextchanged = (context) => {
  if (context.theme) document.documentElement.dataset['theme'] = context.theme;
};
void app.connect().then(() => {
  const theme = app.getHostContext()?.theme;
  if (theme) document.documentElement.dataset['theme'] = theme;
});
