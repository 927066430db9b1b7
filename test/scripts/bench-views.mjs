// What MCP App views add to tools/list for the clients that take them: each built project is
// started twice over stdio, once initialized without the UI extension and once with it, and every
// page of tools/list is read; the figure is the bytes of the tools array, as the server wrote it.
//
//   node test/scripts/bench-views.mjs <project dir>...   (projects built with `npm run build`)
import path from 'node:path';
import { startStdioRpc } from './stdio-rpc.mjs';

const UI = { extensions: { 'io.modelcontextprotocol/ui': { mimeTypes: ['text/html;profile=mcp-app'] } } };
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node test/scripts/bench-views.mjs <built project dir>...');
  process.exit(2);
}

async function listedBytes(dir, capabilities) {
  const server = await startStdioRpc(path.join(dir, 'dist', 'index.js'), { PATH: process.env.PATH ?? '', MCP_TRANSPORT: 'stdio', MCP_MODE: 'tools' }, '2025-11-25', capabilities);
  let bytes = 0;
  let tools = 0;
  let views = 0;
  let cursor;
  try {
    do {
      const page = await server.rpc('tools/list', cursor === undefined ? {} : { cursor });
      if (!page.result) throw new Error(`${dir}: ${JSON.stringify(page.error)}`);
      bytes += Buffer.byteLength(JSON.stringify(page.result.tools));
      tools += page.result.tools.length;
      views += page.result.tools.filter((t) => t._meta?.ui?.resourceUri).length;
      cursor = page.result.nextCursor;
    } while (cursor !== undefined);
  } finally {
    await server.stop();
  }
  return { bytes, tools, views };
}

const rows = [];
for (const dir of dirs) {
  try {
    const plain = await listedBytes(dir, {});
    const ui = await listedBytes(dir, UI);
    if (plain.views !== 0) throw new Error(`${dir}: a client without the extension was given view links`);
    rows.push({ dir: path.basename(dir), tools: plain.tools, views: ui.views, plain: plain.bytes, ui: ui.bytes, added: ui.bytes / plain.bytes - 1 });
  } catch (err) {
    console.error(`skipped ${dir}: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
  }
}
const sorted = [...rows].sort((a, b) => a.added - b.added);
const pct = (x) => `${(x * 100).toFixed(2)} %`;
const median = sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)].added : NaN;
const total = rows.reduce((a, r) => ({ plain: a.plain + r.plain, ui: a.ui + r.ui }), { plain: 0, ui: 0 });
console.log(`${rows.length} projects, ${rows.reduce((a, r) => a + r.tools, 0)} tools, ${rows.reduce((a, r) => a + r.views, 0)} with a view`);
console.log(`tools/list bytes added for clients that take views: median ${pct(median)}, total ${pct(total.ui / total.plain - 1)} (${total.plain} → ${total.ui} bytes), max ${pct(sorted.at(-1)?.added ?? NaN)} (${sorted.at(-1)?.dir})`);
console.log(`projects over 3 %: ${rows.filter((r) => r.added > 0.03).length}`);
if (process.env.VERBOSE) for (const r of sorted) console.log(`${pct(r.added).padStart(8)}  ${r.dir} (${r.tools} tools, ${r.plain} B)`);
