import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/runtime/config.js';
import type { ServerDefinition } from '../../src/runtime/definition.js';

const definition: ServerDefinition = {
  formatVersion: 1,
  server: { name: 'petstore', version: '1.0.0', envPrefix: 'PETSTORE' },
  baseUrls: ['https://api.example.com/v1'],
  auth: [],
  tools: [],
};

describe('loadConfig', () => {
  it('defaults', () => {
    const c = loadConfig(definition, {});
    expect(c).toMatchObject({
      baseUrl: 'https://api.example.com/v1',
      transport: 'stdio',
      port: 3000,
      host: '127.0.0.1',
      timeoutMs: 30000,
      maxResponseBytes: 1048576,
      allowedHosts: [],
      allowedOrigins: [],
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const c = loadConfig(definition, {
      API_BASE_URL: 'http://127.0.0.1:9/api',
      MCP_TRANSPORT: 'HTTP',
      MCP_MODE: 'dynamic',
      PORT: '0',
      HOST: '0.0.0.0',
      MCP_TIMEOUT_MS: '500',
      MCP_MAX_RESPONSE_BYTES: '10',
      MCP_ALLOWED_HOSTS: 'a.example:80, b.example',
      MCP_ALLOWED_ORIGINS: 'https://app.example',
      MCP_LOG_LEVEL: 'debug',
    });
    expect(c).toMatchObject({
      baseUrl: 'http://127.0.0.1:9/api',
      transport: 'http',
      mode: 'dynamic',
      port: 0,
      host: '0.0.0.0',
      timeoutMs: 500,
      maxResponseBytes: 10,
      allowedHosts: ['a.example:80', 'b.example'],
      allowedOrigins: ['https://app.example'],
      logLevel: 'debug',
    });
  });

  it('reports every invalid value at once', () => {
    expect(() =>
      loadConfig(definition, { MCP_TIMEOUT_MS: 'abc', PORT: '70000', MCP_TRANSPORT: 'sse', MCP_MODE: 'lazy', API_BASE_URL: 'ftp://x', MCP_LOG_LEVEL: 'loud', MCP_MAX_RESPONSE_BYTES: '0' }),
    ).toThrow(
      /API_BASE_URL must be an absolute http\(s\) URL, got "ftp:\/\/x"[\s\S]*MCP_TRANSPORT must be "stdio" or "http", got "sse"[\s\S]*MCP_MODE must be "tools" or "dynamic", got "lazy"[\s\S]*PORT must be an integer between 0 and 65535, got "70000"[\s\S]*MCP_TIMEOUT_MS must be a positive integer, got "abc"[\s\S]*MCP_MAX_RESPONSE_BYTES must be a positive integer, got "0"[\s\S]*MCP_LOG_LEVEL/,
    );
  });

  it('reads every closed choice in any case', () => {
    expect(loadConfig(definition, { MCP_TRANSPORT: 'HTTP', MCP_MODE: 'Dynamic', MCP_LOG_LEVEL: 'WARN' })).toMatchObject({ transport: 'http', mode: 'dynamic', logLevel: 'warn' });
  });

  it("starts from the spec's config section, under the config file and the environment", () => {
    const spec = { ...definition, config: { timeoutMs: 9000, maxConcurrentTools: 7, retry: { attempts: 2 } } };
    expect(loadConfig(spec, {})).toMatchObject({ timeoutMs: 9000, maxConcurrent: 7, retry: { attempts: 2, initialDelayMs: 250, maxDelayMs: 10000 } });
    expect(loadConfig(spec, { MCP_TIMEOUT_MS: '100' })).toMatchObject({ timeoutMs: 100, maxConcurrent: 7 });
    const dir = mkdtempSync(path.join(tmpdir(), 'mcp-config-'));
    writeFileSync(path.join(dir, 'mcp-config.yaml'), 'timeout: 5\nretry: { maxDelayMs: 700 }\n');
    expect(loadConfig(spec, {}, { cwd: dir })).toMatchObject({ timeoutMs: 5000, maxConcurrent: 7, retry: { attempts: 2, maxDelayMs: 700 } });
    expect(loadConfig(spec, { MCP_TIMEOUT_MS: '100' }, { cwd: dir })).toMatchObject({ timeoutMs: 100 });
  });

  it('no base URL anywhere is not a start-up error', () => {
    expect(loadConfig({ ...definition, baseUrls: [] }, {}).baseUrl).toBeUndefined();
  });
});
