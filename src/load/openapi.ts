/**
 * Reads an OpenAPI 2.0 / 3.0 / 3.1 document (JSON or YAML, file or http(s) URL) into a 3.x
 * object with only local `$ref`s. The only module besides write.ts that does I/O.
 */
import { readFile } from 'node:fs/promises';
import { BlockList, isIP } from 'node:net';
import path from 'node:path';
import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';
import { SpecError } from '../diagnostics.js';
import { parseText } from './parse-text.js';

export type OpenApiDocument = OpenAPIV3.Document | OpenAPIV3_1.Document;

export interface LoadedOpenApi {
  document: OpenApiDocument;
  /** '3.0' also covers converted Swagger 2.0 documents. */
  dialect: '3.0' | '3.1';
  /** The document as authored was Swagger 2.0 (positions then refer to the converted form). */
  convertedFromSwagger2: boolean;
}

export interface LoadOptions {
  allowRemoteRefs: boolean;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);

export async function readSource(source: string): Promise<string> {
  if (isUrl(source)) {
    let res: Response;
    try {
      res = await fetch(source, { signal: AbortSignal.timeout(30_000) });
    } catch (err) {
      throw new SpecError({ message: `cannot fetch ${source}: ${(err as Error).message}` });
    }
    if (!res.ok) throw new SpecError({ message: `cannot fetch ${source}: HTTP ${res.status}` });
    return res.text();
  }
  try {
    return await readFile(source, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new SpecError({ message: `cannot read spec: ${why}`, fix: 'pass the path of an OpenAPI or tool-spec file' });
  }
}

/** Lowers a parsed document (any supported version) to OpenAPI 3.x with local refs only. */
export async function loadOpenApi(source: string, raw: unknown, options: LoadOptions): Promise<LoadedOpenApi> {
  const doc = raw as Record<string, unknown>;
  let document: OpenApiDocument;
  let convertedFromSwagger2 = false;
  if (typeof doc.openapi === 'string') {
    if (!/^3\.[01]\./.test(doc.openapi)) {
      throw new SpecError({
        message: `unsupported OpenAPI version ${JSON.stringify(doc.openapi)}`,
        pointer: ['openapi'],
        fix: 'mcp-gen reads OpenAPI 2.0, 3.0.x and 3.1.x',
      });
    }
    document = raw as OpenApiDocument;
  } else if (doc.swagger === '2.0') {
    document = await convertSwagger2(raw);
    convertedFromSwagger2 = true;
  } else {
    throw new SpecError({
      message: 'not an OpenAPI document: no "openapi" or "swagger" field at the top level',
      pointer: [],
      fix: 'an OpenAPI file starts with `openapi: 3.x.y` or `swagger: "2.0"`',
    });
  }

  const external = externalRefs(document);
  if (external.length) {
    const remote = external.find((r) => isUrl(r.ref) || isUrl(source));
    if (remote && !options.allowRemoteRefs) {
      throw new SpecError({
        message: `$ref ${JSON.stringify(remote.ref)} would be fetched over the network; remote $refs are not followed by default`,
        pointer: [...remote.at, '$ref'],
        fix: 'pass --allow-remote-refs to fetch it, or bundle the document first',
      });
    }
    const internal = external.find((r) => isUrl(r.ref) && isPrivateHost(new URL(r.ref).hostname));
    if (internal) {
      throw new SpecError({
        message: `$ref ${JSON.stringify(internal.ref)} points at a loopback or private address; such $refs are never fetched`,
        pointer: [...internal.at, '$ref'],
        fix: 'download the referenced file and $ref it by a local path',
      });
    }
    document = await bundleExternalRefs(source, document, options);
  }
  const dialect = String(document.openapi).startsWith('3.1') ? '3.1' : '3.0';
  return { document, dialect, convertedFromSwagger2 };
}

// The converter and the bundler are loaded only for the documents that need them: importing them
// costs more start-up time than generating a typical server.
async function convertSwagger2(raw: unknown): Promise<OpenAPIV3.Document> {
  const { default: swagger2openapi } = await import('swagger2openapi');
  try {
    const result = await swagger2openapi.convertObj(raw as never, { patch: true, warnOnly: true, resolve: false });
    return result.openapi as OpenAPIV3.Document;
  } catch (err) {
    throw new SpecError({ message: `cannot convert Swagger 2.0 document: ${(err as Error).message}` });
  }
}

const PRIVATE = new BlockList();
for (const [net, prefix] of [['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['169.254.0.0', 16], ['0.0.0.0', 8]] as const) {
  PRIVATE.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) PRIVATE.addSubnet(net, prefix, 'ipv6');

/**
 * The bundler refuses such URLs itself (an SSRF guard) but with an unhelpful message; saying so
 * up front names the $ref. Spec text is untrusted: it must not make mcp-gen probe a local network.
 */
function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  return family !== 0 && PRIVATE.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/** Non-local `$ref`s with where they are; a cheap scan so a self-contained document skips the bundler. */
function externalRefs(root: unknown): Array<{ ref: string; at: (string | number)[] }> {
  const found: Array<{ ref: string; at: (string | number)[] }> = [];
  // One shared path, copied only for hits: this walks every node of 20 MB specs.
  const at: (string | number)[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (let i = 0; i < node.length; i++) {
        const v: unknown = node[i];
        if (v && typeof v === 'object') {
          at.push(i);
          walk(v);
          at.pop();
        }
      }
      return;
    }
    for (const k in node as Record<string, unknown>) {
      const v = (node as Record<string, unknown>)[k];
      if (k === '$ref' && typeof v === 'string' && !v.startsWith('#')) found.push({ ref: v, at: [...at] });
      else if (v && typeof v === 'object') {
        at.push(k);
        walk(v);
        at.pop();
      }
    }
  };
  if (root && typeof root === 'object') walk(root);
  return found;
}

async function bundleExternalRefs(source: string, document: OpenApiDocument, options: LoadOptions): Promise<OpenApiDocument> {
  const base = isUrl(source) ? source : path.resolve(source);
  const { default: SwaggerParser } = await import('@apidevtools/swagger-parser');
  try {
    return (await SwaggerParser.bundle(base, document as never, {
      resolve: { external: true, http: options.allowRemoteRefs ? { timeout: 30_000 } : false },
      validate: { schema: false, spec: false },
    } as never)) as unknown as OpenApiDocument;
  } catch (err) {
    const message = (err as Error).message.split('\n')[0] ?? 'unknown error';
    throw new SpecError({ message: `cannot resolve external $ref: ${message}`, fix: 'check the file path in the $ref (relative to the spec file)' });
  }
}

export { parseText };
