// A bare MCP client over stdio for the benchmark scripts: newline-delimited JSON-RPC on a spawned
// server's stdin/stdout, with none of the SDK Client's own work, so timings are the server's.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** Spawns `node entry`, initializes the session, and returns `rpc(method, params)` and `stop()`. */
export async function startStdioRpc(entry, env, protocolVersion = '2025-06-18', capabilities = {}) {
  const child = spawn(process.execPath, [entry], { env, stdio: ['pipe', 'pipe', 'ignore'] });
  const waiting = new Map();
  let nextId = 1;
  createInterface({ input: child.stdout, crlfDelay: Infinity }).on('line', (line) => {
    const message = JSON.parse(line);
    waiting.get(message.id)?.(message);
    waiting.delete(message.id);
  });
  const rpc = (method, params) =>
    new Promise((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
    });
  await rpc('initialize', { protocolVersion, capabilities, clientInfo: { name: 'bench', version: '0' } });
  child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
  return {
    rpc,
    stop: () =>
      new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : (child.once('exit', resolve), child.kill('SIGTERM')))),
  };
}
