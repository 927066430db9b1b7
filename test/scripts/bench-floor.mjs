// The floor under any generator built on this product's required stack, for one spec: loading the
// packages every generation needs (yargs, handlebars, the MCP SDK's types), reading and parsing
// the spec, and, for reference, what a full swagger-parser validation (the peer's first step) adds.
// Issue 4 asks for GitHub's spec in 0.5 s; this prints how much of that is gone before any work.
//
//   node test/scripts/bench-floor.mjs /tmp/mcp-gen-bench/node_modules/@octokit/openapi/generated/api.github.com.json
import { readFileSync } from 'node:fs';

const t0 = performance.now();
await import('yargs');
await import('handlebars');
await import('@modelcontextprotocol/sdk/types.js');
const t1 = performance.now();
const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const t2 = performance.now();
const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
await SwaggerParser.validate(doc);
const t3 = performance.now();
console.log(
  `node start ${t0.toFixed(0)} ms, packages ${(t1 - t0).toFixed(0)} ms, read + JSON.parse ${(t2 - t1).toFixed(0)} ms ` +
    `→ ${t2.toFixed(0)} ms before any work; swagger-parser validate: ${(t3 - t2).toFixed(0)} ms more`,
);
