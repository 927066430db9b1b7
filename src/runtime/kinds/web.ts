/**
 * The built-in tools: `web.scrape` (a page as title, visible text and links) and `http.request`
 * (one HTTP call to an allowed host). Both fetch a URL chosen by the model, so every request is
 * guarded against server-side request forgery:
 *
 * - Only http and https, no user:password in the URL, and the host must match the tool's
 *   `allowHosts` (exact names or `*.domain` for its subdomains; `http.request` needs a list).
 * - With `denyPrivateNetworks`, every address connected to must be public unicast. Host names
 *   are resolved by a guarded `lookup` handed to node:http, which checks each address and gives
 *   the socket only approved ones: the address checked is the address connected to, so a DNS
 *   answer that changes between check and connect (rebinding) gains nothing. Node connects to IP
 *   literals without calling `lookup`, so those are checked before the request is made.
 * - Redirects are followed by hand, at most MAX_REDIRECTS, each hop checked like the first.
 * - Responses are capped in bytes (after decompression) and by the call's deadline.
 * - Each call runs under the server's resilient client with this guarded client as its single
 *   attempt: the bulkhead, the circuit breaker of the first URL's origin, and retries (idempotent
 *   methods; 408/429/5xx answers and transient network failures, honouring Retry-After), every
 *   attempt walking and checking the whole redirect chain again.
 * - Requests carry no cookies and none of the server's own credentials (upstream auth schemes
 *   never apply here), and a fresh connection each, so no socket approved under one tool's
 *   policy is reused by another.
 *
 * Operator setting (documented in the generated README's environment table):
 *   MCP_WEB_ALLOW_PRIVATE  Comma-separated host names, IP addresses or CIDR ranges these tools may
 *                          reach although they are loopback, private or link-local, e.g.
 *                          `127.0.0.1,wiki.intranet,10.20.0.0/16`. For tests and intranets; it
 *                          lifts denyPrivateNetworks for those destinations only and never widens
 *                          a tool's allowHosts.
 */
import { promises as dns } from 'node:dns';
import http, { STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { LookupFunction } from 'node:net';
import { pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { domainToASCII } from 'node:url';
import zlib from 'node:zlib';
import * as cheerio from 'cheerio';
import ipaddr from 'ipaddr.js';
import { ToolError } from '../backend.js';
import type { BackendContext, ToolExecutor } from '../backend.js';
import type { BuiltinBinding } from '../definition.js';
import { attemptDeadline, UpstreamError } from '../upstream/http-client.js';
import type { HttpClient } from '../upstream/http-client.js';
import { ResilientHttpClient } from '../upstream/resilience.js';
import { DEFAULT_MAX_LINKS, MAX_TEXT_CHARS } from './web-schemas.js';

export const ALLOW_PRIVATE_ENV = 'MCP_WEB_ALLOW_PRIVATE';
export const MAX_REDIRECTS = 5;

// ---------------------------------------------------------------------------------------------
// Addresses

/** Phrases for ipaddr.js range names, completing "<ip> is …". */
const RANGE_PHRASES: Record<string, string> = {
  unspecified: 'the unspecified address',
  broadcast: 'the broadcast address',
  multicast: 'a multicast address',
  linkLocal: 'a link-local address (where cloud metadata services live)',
  loopback: 'a loopback address',
  carrierGradeNat: 'a carrier-grade NAT (shared) address',
  private: 'a private address',
  reserved: 'a reserved address',
  uniqueLocal: 'a unique local (private IPv6) address',
  deprecatedSiteLocal: 'a site-local address',
  rfc6052: 'a local-use NAT64 address',
  teredo: 'a Teredo tunnel address',
};

/** IPv6 forms that carry an IPv4 address the packets end up at: the byte it starts at. */
const EMBEDDED_IPV4: Record<string, { at: number; form: string }> = {
  ipv4Mapped: { at: 12, form: 'IPv4-mapped' },
  rfc6145: { at: 12, form: 'IPv4-translated' },
  rfc6052: { at: 12, form: 'NAT64' },
  '6to4': { at: 2, form: '6to4' },
};
const WELL_KNOWN_NAT64 = ipaddr.parseCIDR('64:ff9b::/96');

/**
 * Why `ip` is not a public unicast address (a phrase completing "<ip> is …"), or undefined when
 * it is one. IPv6 forms that embed an IPv4 address are judged by that address.
 */
export function checkAddress(ip: string): string | undefined {
  if (!ipaddr.isValid(ip)) return 'not an IP address';
  const addr = ipaddr.parse(ip);
  const range: string = addr.range();
  if (addr.kind() === 'ipv6') {
    const embedded = embeddedIPv4(addr as ipaddr.IPv6, range);
    if (embedded) {
      const why = checkAddress(embedded.address);
      return why && `the ${embedded.form} form of ${embedded.address}, ${why}`;
    }
  }
  if (range === 'unicast') return undefined;
  return RANGE_PHRASES[range] ?? `a special-purpose (${range}) address`;
}

function embeddedIPv4(addr: ipaddr.IPv6, range: string): { address: string; form: string } | undefined {
  const embedding = EMBEDDED_IPV4[range];
  // Local-use NAT64 prefixes (64:ff9b:1::/48) place the IPv4 bits by prefix length; refuse those.
  if (!embedding || (range === 'rfc6052' && !addr.match(WELL_KNOWN_NAT64))) return undefined;
  const bytes = addr.toByteArray().slice(embedding.at, embedding.at + 4);
  return { address: ipaddr.fromByteArray(bytes).toString(), form: embedding.form };
}

/** Destinations allowed although private (see MCP_WEB_ALLOW_PRIVATE). */
export interface PrivateAllowList {
  hosts: ReadonlySet<string>;
  ranges: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

export function parseAllowPrivate(raw: string | undefined): PrivateAllowList {
  const hosts = new Set<string>();
  const ranges: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const entry of (raw ?? '').split(',').map((item) => item.trim()).filter(Boolean)) {
    const bare = unbracket(entry);
    if (bare.includes('/') && ipaddr.isValidCIDR(bare)) {
      ranges.push(ipaddr.parseCIDR(bare));
    } else if (isIP(bare)) {
      const addr = ipaddr.process(bare);
      ranges.push([addr, addr.kind() === 'ipv4' ? 32 : 128]);
    } else {
      hosts.add(normalizeHost(bare));
    }
  }
  return { hosts, ranges };
}

function privateAllowed(list: PrivateAllowList, host: string, ip: string): boolean {
  if (list.hosts.has(normalizeHost(host))) return true;
  // process() turns ::ffff:a.b.c.d into a.b.c.d, so an IPv4 entry also covers its mapped form.
  const addr = ipaddr.process(ip);
  return list.ranges.some(([net, bits]) => net.kind() === addr.kind() && addr.match(net, bits));
}

export interface AddressPolicy {
  denyPrivateNetworks: boolean;
  allowPrivate: PrivateAllowList;
}

/** Why the policy refuses connecting to `ip` on behalf of `host`, or undefined when it may. */
export function addressRefusal(policy: AddressPolicy, host: string, ip: string): string | undefined {
  if (!policy.denyPrivateNetworks) return undefined;
  const why = checkAddress(ip);
  return why === undefined || privateAllowed(policy.allowPrivate, host, ip) ? undefined : why;
}

/** A destination the guard refuses; `host` is set when MCP_WEB_ALLOW_PRIVATE could allow it. */
export class DestinationRefused extends Error {
  constructor(
    message: string,
    readonly privateHost?: string,
  ) {
    super(message);
    this.name = 'DestinationRefused';
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to all its addresses; injectable so tests need no real DNS. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

/** The resolver node:http would use itself (getaddrinfo, so /etc/hosts applies). */
export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * A `lookup` for node:http / node:net that resolves with `resolve`, drops every address the
 * policy refuses, and fails with DestinationRefused when none is left. Handles both the
 * single-address and the `all: true` form (the latter is what Happy Eyeballs asks for).
 */
export function createGuardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    resolve(hostname).then(
      (found) => {
        const candidates = family === 4 || family === 6 ? found.filter((a) => a.family === family) : found;
        const approved = candidates.filter((a) => addressRefusal(policy, hostname, a.address) === undefined);
        const first = approved[0];
        if (!first) callback(noAddress(hostname, candidates, policy), []);
        else if (options.all) callback(null, approved);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}

function noAddress(hostname: string, candidates: ResolvedAddress[], policy: AddressPolicy): Error {
  if (candidates.length === 0) {
    return Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' });
  }
  const reasons = candidates.map((a) => ({ ip: a.address, why: addressRefusal(policy, hostname, a.address) ?? '' }));
  const only = reasons.length === 1 ? reasons[0] : undefined;
  const message = only
    ? `${hostname} resolves to ${only.ip}, ${only.why}`
    : `${hostname} resolves only to non-public addresses: ${reasons.map((r) => `${r.ip} (${r.why})`).join(', ')}`;
  return new DestinationRefused(message, hostname);
}

// ---------------------------------------------------------------------------------------------
// Host names and URLs

function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** Lower case, no brackets or trailing dot, IPs in canonical form, IDNs in punycode. */
function normalizeHost(host: string): string {
  const bare = unbracket(host.trim().toLowerCase()).replace(/\.$/, '');
  if (isIP(bare)) return ipaddr.parse(bare).toString();
  return domainToASCII(bare) || bare;
}

/** Whether `host` matches an allowHosts entry: an exact name or IP, or `*.domain` for any subdomain. */
export function hostAllowed(host: string, allowHosts: readonly string[]): boolean {
  const name = normalizeHost(host);
  return allowHosts.some((entry) => {
    const pattern = entry.trim().toLowerCase();
    return pattern.startsWith('*.') ? name.endsWith(`.${normalizeHost(pattern.slice(2))}`) : normalizeHost(pattern) === name;
  });
}

/** Checks that need no DNS: scheme, credentials, allowHosts, and IP literals (never looked up). */
function checkDestination(url: URL, binding: BuiltinBinding, policy: AddressPolicy): DestinationRefused | undefined {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return new DestinationRefused('only http and https URLs are allowed');
  if (url.username || url.password) return new DestinationRefused('URLs with a user name or password are not allowed');
  const host = unbracket(url.hostname);
  if (binding.name === 'http.request' && binding.allowHosts.length === 0) {
    return new DestinationRefused('this tool has no allowHosts, so it may call no host');
  }
  if (binding.allowHosts.length > 0 && !hostAllowed(host, binding.allowHosts)) {
    return new DestinationRefused(`${host} is not one of this tool's allowed hosts (${binding.allowHosts.join(', ')})`);
  }
  if (isIP(host)) {
    const why = addressRefusal(policy, host, host);
    if (why) return new DestinationRefused(`${host} is ${why}`, host);
  }
  return undefined;
}

function parseUrl(value: unknown): URL {
  try {
    return new URL(String(value));
  } catch {
    throw new ToolError(`${JSON.stringify(value)} is not an absolute URL`);
  }
}

// ---------------------------------------------------------------------------------------------
// Guarded requests

interface Hop {
  method: string;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** UTF-8 text (the tools send JSON or text bodies). */
  body?: string;
}

interface Fetched {
  /** The final URL, after redirects. */
  url: URL;
  status: number;
  headers: IncomingHttpHeaders;
  bytes: Buffer;
  truncated: boolean;
}

interface Fetcher {
  (first: Hop): Promise<Fetched>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/**
 * The only headers kept when a redirect leaves the origin: the caller chose headers (API keys,
 * Authorization) for the first host, not for whichever host it redirects to.
 */
const CROSS_ORIGIN_HEADERS = new Set(['user-agent', 'accept', 'accept-encoding', 'accept-language', 'content-type']);
const BODY_HEADERS = ['content-type', 'content-encoding', 'content-language', 'content-location'];

const DECODERS: Record<string, () => zlib.Unzip | zlib.BrotliDecompress> = {
  gzip: zlib.createUnzip,
  'x-gzip': zlib.createUnzip,
  deflate: zlib.createUnzip,
  br: zlib.createBrotliDecompress,
};

/**
 * Requests go through the server's resilient client (retries with back-off and Retry-After,
 * the breaker per origin, the bulkhead, the call's deadline) with a single-attempt client of
 * their own: every hop checked by the guard, redirects followed here, the body capped.
 */
function createFetcher(binding: BuiltinBinding, policy: AddressPolicy, resolve: Resolver, ctx: BackendContext): Fetcher {
  const transport = guardedClient({ binding, policy, lookup: createGuardedLookup(policy, resolve), ctx });
  return async (first) => {
    // Only the resilient client sends through `transport`; any other would skip the guard.
    const client: HttpClient = ctx.http instanceof ResilientHttpClient ? ctx.http : transport;
    const response = await client.send(
      { method: first.method, url: first.url.href, headers: first.headers, ...(first.body ? { body: first.body } : {}) },
      {
        signal: ctx.signal,
        deadlineAt: ctx.deadlineAt,
        report: ctx.report,
        transport,
        ...(ctx.attemptTimeoutMs === undefined ? {} : { attemptTimeoutMs: ctx.attemptTimeoutMs }),
      },
    );
    return { url: new URL(response.url ?? first.url.href), status: response.status, headers: response.headers, bytes: response.bytes, truncated: response.truncated };
  };
}

interface SendContext {
  binding: BuiltinBinding;
  policy: AddressPolicy;
  lookup: LookupFunction;
  ctx: BackendContext;
}

/** One attempt: the hops of a redirect chain, each checked, and the capped body of the last. */
function guardedClient(context: SendContext): HttpClient {
  const { binding, ctx } = context;
  const maxBytes = binding.maxBytes ?? ctx.config.maxResponseBytes;
  return {
    async send(request, options = {}) {
      const own = attemptDeadline(options, ctx.config.attemptTimeoutMs);
      const signal = own?.signal ?? options.signal ?? ctx.signal;
      let hop: Hop = { method: request.method, url: new URL(request.url), headers: request.headers, ...(typeof request.body === 'string' ? { body: request.body } : {}) };
      let from: URL | undefined;
      try {
        for (let redirects = 0; ; redirects++) {
          const response = await sendChecked(hop, from, context, signal);
          const location = response.headers.location;
          if (REDIRECT_STATUSES.has(response.statusCode ?? 0) && location) {
            response.destroy();
            if (redirects === MAX_REDIRECTS) throw new ToolError(`gave up after ${MAX_REDIRECTS} redirects at ${hop.url.href}`);
            from = hop.url;
            hop = redirected(hop, response.statusCode ?? 0, location);
            continue;
          }
          const { bytes, truncated } = await readBody(response, hop.url, maxBytes, signal);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
          const status = response.statusCode ?? 0;
          return { url: hop.url.href, status, statusText: STATUS_CODES[status] ?? '', headers, contentType: headers['content-type'] ?? '', bytes, truncated };
        }
      } catch (err) {
        // The attempt's own timer: a timeout the resilient client may retry.
        if (own?.signal.aborted && !options.signal?.aborted) {
          const reason: unknown = own.signal.reason;
          throw new UpstreamError('timeout', `upstream request ${reason instanceof Error ? reason.message : 'timed out'}`);
        }
        throw err;
      } finally {
        own?.dispose();
      }
    },
  };
}

/** Network failures worth another attempt. */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

async function sendChecked(hop: Hop, from: URL | undefined, { binding, policy, lookup, ctx }: SendContext, signal: AbortSignal): Promise<IncomingMessage> {
  const refuse = (refusal: DestinationRefused) => {
    const via = from ? ` (redirected from ${from.href})` : '';
    const hint = refusal.privateHost ? ` (set ${ALLOW_PRIVATE_ENV}=${refusal.privateHost} to allow)` : '';
    ctx.logger.warn('refused destination', { url: hop.url.href, reason: refusal.message });
    return new ToolError(`refusing ${hop.url.href}${via}: ${refusal.message}${hint}`);
  };
  const refusal = checkDestination(hop.url, binding, policy);
  if (refusal) throw refuse(refusal);
  try {
    return await send(hop, lookup, signal);
  } catch (err) {
    if (err instanceof DestinationRefused) throw refuse(err);
    // Left as is, so the deadline or the cancellation is reported.
    if (signal.aborted) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const detail = code === 'ENOTFOUND' ? `${hop.url.hostname} does not resolve` : code ?? (err instanceof Error ? err.message : String(err));
    const message = `could not reach ${hop.url.origin}: ${detail}`;
    // Transient failures are retried and counted by the breaker; anything else (a name that does
    // not exist, an untrusted certificate, a header node refuses to send) stays as it is.
    if (code !== undefined && TRANSIENT_CODES.has(code)) throw new UpstreamError('network', message, code);
    throw new ToolError(message);
  }
}

function send(hop: Hop, lookup: LookupFunction, signal: AbortSignal): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const client = hop.url.protocol === 'https:' ? https : http;
    const request = client.request(
      {
        protocol: hop.url.protocol,
        hostname: unbracket(hop.url.hostname),
        port: hop.url.port || undefined,
        path: `${hop.url.pathname}${hop.url.search}`,
        method: hop.method,
        headers: hop.headers,
        lookup,
        agent: false,
        signal,
      },
      resolve,
    );
    // `on`, not `once`: a second error after the response (an abort mid-body) must not go unhandled.
    request.on('error', reject);
    request.end(hop.body);
  });
}

/** The next hop; method and body change the way browsers change them. */
function redirected(hop: Hop, status: number, location: string): Hop {
  let url: URL;
  try {
    url = new URL(location, hop.url);
  } catch {
    throw new ToolError(`${hop.url.href} redirected to an invalid URL: ${JSON.stringify(location)}`);
  }
  const toGet = (status === 303 && hop.method !== 'HEAD') || ((status === 301 || status === 302) && hop.method === 'POST');
  const sameOrigin = url.origin === hop.url.origin;
  const headers = Object.fromEntries(
    Object.entries(hop.headers).filter(([name]) => (sameOrigin || CROSS_ORIGIN_HEADERS.has(name)) && !(toGet && BODY_HEADERS.includes(name))),
  );
  return { method: toGet ? 'GET' : hop.method, url, headers, ...(hop.body && !toGet ? { body: hop.body } : {}) };
}

async function readBody(response: IncomingMessage, url: URL, maxBytes: number, signal: AbortSignal): Promise<{ bytes: Buffer; truncated: boolean }> {
  try {
    return await readCapped(response, maxBytes);
  } catch (err) {
    if (signal.aborted || err instanceof ToolError) throw err;
    throw new ToolError(`the response from ${url.origin} broke off: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The body, decompressed, up to `maxBytes`; the connection is dropped at the cap. */
async function readCapped(response: IncomingMessage, maxBytes: number): Promise<{ bytes: Buffer; truncated: boolean }> {
  const stream = decoded(response);
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    if (size + buffer.length > maxBytes) {
      chunks.push(buffer.subarray(0, maxBytes - size));
      size = maxBytes;
      truncated = true;
      break;
    }
    chunks.push(buffer);
    size += buffer.length;
  }
  if (truncated) response.destroy();
  return { bytes: Buffer.concat(chunks, size), truncated };
}

function decoded(response: IncomingMessage): Readable {
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return response;
  const decoder = DECODERS[encoding];
  if (!decoder) {
    response.destroy();
    throw new ToolError(`the response uses content-encoding ${encoding}, which this tool cannot decode`);
  }
  // Errors on either side (an abort, corrupt data) end the loop reading the decoder.
  return pipeline(response, decoder(), () => undefined);
}

// ---------------------------------------------------------------------------------------------
// Response bodies

function mediaType(headers: IncomingHttpHeaders): { type: string; charset: string | undefined } {
  const [type = '', ...params] = (headers['content-type'] ?? '').split(';').map((part) => part.trim());
  const charset = params.find((p) => p.toLowerCase().startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '');
  return { type: type.toLowerCase(), charset };
}

function isHtml(type: string): boolean {
  return type === 'text/html' || type === 'application/xhtml+xml';
}

function isJson(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json');
}

/** Text worth showing a model; an absent content type is given the benefit of the doubt. */
function isTextual(type: string): boolean {
  return (
    type === '' ||
    type.startsWith('text/') ||
    isJson(type) ||
    type.endsWith('+xml') ||
    ['application/xml', 'application/javascript', 'application/x-www-form-urlencoded', 'application/x-ndjson'].includes(type)
  );
}

function decodeText(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

// ---------------------------------------------------------------------------------------------
// web.scrape

const PAGE_ACCEPT = 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5';

/** Never rendered as page text; `[hidden]` is the HTML attribute (CSS would need a browser). */
const INVISIBLE_TAGS = new Set(['head', 'title', 'script', 'style', 'noscript', 'template', 'iframe', 'object', 'embed', 'svg', 'canvas']);
/** Elements that end a line of text. */
const BLOCK_TAGS = new Set(
  ('address article aside blockquote br dd div dl dt fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 ' +
    'header hr li main nav ol p pre section table td th tr ul').split(' '),
);
/** Marks a block boundary in collected text; newlines in the HTML source are only whitespace. */
const LINE_BREAK = '\uE000';
const MAX_LINK_TEXT = 200;

export interface ScrapeResult {
  url: string;
  status: number;
  title: string;
  text: string;
  links: Array<{ text: string; href: string }>;
  truncated: boolean;
}

async function scrape(args: Record<string, unknown>, fetcher: Fetcher, userAgent: string): Promise<ScrapeResult> {
  const maxLinks = typeof args.max_links === 'number' ? args.max_links : DEFAULT_MAX_LINKS;
  const selector = typeof args.selector === 'string' ? args.selector : undefined;
  const page = await fetcher({ method: 'GET', url: parseUrl(args.url), headers: { 'user-agent': userAgent, accept: PAGE_ACCEPT, 'accept-encoding': 'gzip, deflate, br' } });
  const { type, charset } = mediaType(page.headers);
  const base = { url: page.url.href, status: page.status };
  if (isHtml(type)) {
    const extracted = extractPage(page.bytes, charset, page.url, selector, maxLinks);
    const text = capText(extracted.text);
    return { ...base, title: extracted.title, text: text.value, links: extracted.links, truncated: page.truncated || text.cut || extracted.linksCut };
  }
  if (!isTextual(type)) throw new ToolError(`${page.url.href} is not a web page: its content type is ${type} (HTTP ${page.status})`);
  const text = capText(collapse(decodeText(page.bytes, charset), '\n'));
  return { ...base, title: '', text: text.value, links: [], truncated: page.truncated || text.cut };
}

function extractPage(
  bytes: Buffer,
  charset: string | undefined,
  pageUrl: URL,
  selector: string | undefined,
  maxLinks: number,
): { title: string; text: string; links: ScrapeResult['links']; linksCut: boolean } {
  const $ = cheerio.loadBuffer(bytes, {
    // htmlparser2 rather than cheerio's default parse5, whose time grows with the square of the
    // nesting depth: 20,000 nested <div>s (220 KB) take parse5 4 s and htmlparser2 0.15 s. Text
    // and links do not need the spec's tree-building rules.
    xml: { xmlMode: false, decodeEntities: true },
    // Sniffs BOMs and <meta charset>; the header's charset wins, as in browsers.
    encoding: { defaultEncoding: 'utf-8', ...(charset ? { transportLayerEncodingLabel: charset } : {}) },
  });
  const top = $.root()[0]?.children ?? [];
  const elements = [...elementsOf(top)];
  const titleElement = elements.find((e) => e.name === 'title');
  const title = titleElement ? collapseLine($(titleElement).text()) : '';
  const linkBase = documentBase(elements.find((e) => e.name === 'base' && e.attribs.href !== undefined)?.attribs.href, pageUrl);
  const content = readContent(selector === undefined ? defaultScope(elements, top) : selectTopmost($, elements, top, selector, pageUrl));
  const links: ScrapeResult['links'] = [];
  const seen = new Set<string>();
  for (const anchor of content.anchors) {
    const href = absoluteLink(anchor.href, linkBase);
    if (href === undefined || seen.has(href)) continue;
    if (links.length === maxLinks) return { title, text: content.text, links, linksCut: true };
    seen.add(href);
    links.push({ text: collapseLine(anchor.text.replaceAll(LINE_BREAK, ' ')).slice(0, MAX_LINK_TEXT), href });
  }
  return { title, text: content.text, links, linksCut: false };
}

// domhandler's node types, reached through cheerio (which does not re-export them).
type DomDocument = ReturnType<cheerio.CheerioAPI['root']>[number];
type DomNode = DomDocument['children'][number];
type DomElement = Extract<DomNode, { attribs: Record<string, string> }>;

function isElement(node: DomNode): node is DomElement {
  return 'attribs' in node;
}

/**
 * Elements under `roots` in document order. Tree walks here use an explicit stack, not
 * recursion, since a hostile page can nest elements deeper than the call stack; and none uses
 * cheerio's find(), whose context handling is quadratic in the number of sibling roots.
 */
function* elementsOf(roots: readonly DomNode[]): Generator<DomElement> {
  const stack = [...roots].reverse();
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (!isElement(node)) continue;
    yield node;
    pushChildren(stack, node.children);
  }
}

function pushChildren<T>(stack: T[], children: readonly T[]): void {
  for (let i = children.length - 1; i >= 0; i--) {
    const child = children[i];
    if (child !== undefined) stack.push(child);
  }
}

function defaultScope(elements: readonly DomElement[], top: readonly DomNode[]): readonly DomNode[] {
  const body = elements.find((e) => e.name === 'body');
  return body ? [body] : top;
}

/** The elements matching `selector` that are not inside another match (whose text they would repeat). */
function selectTopmost($: cheerio.CheerioAPI, elements: DomElement[], top: readonly DomNode[], selector: string, pageUrl: URL): DomElement[] {
  let matched: Set<DomNode>;
  try {
    // filter() tests each element against the selector; it never searches a context.
    matched = new Set($(elements).filter(selector).get());
  } catch (err) {
    throw new ToolError(`invalid CSS selector ${JSON.stringify(selector)}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (matched.size === 0) throw new ToolError(`the selector ${JSON.stringify(selector)} matches nothing on ${pageUrl.href}; try without it`);
  const found: DomElement[] = [];
  const stack = [...top].reverse();
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (!isElement(node)) continue;
    if (matched.has(node)) found.push(node);
    else pushChildren(stack, node.children);
  }
  return found;
}

/** Pushed when an element is entered, handled once its children are done. */
interface ElementEnd {
  block: boolean;
  anchor?: { href: string; start: number };
}

/**
 * Visible text (one line per block, whitespace collapsed) and the anchors with their raw text,
 * in document order, in one pass.
 */
function readContent(roots: readonly DomNode[]): { text: string; anchors: Array<{ href: string; text: string }> } {
  const parts: string[] = [];
  const anchors: Array<{ href: string; text: string }> = [];
  const stack: Array<DomNode | ElementEnd> = roots.flatMap((root): Array<DomNode | ElementEnd> => [{ block: true }, root]).reverse();
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (!('nodeType' in item)) {
      if (item.anchor) anchors.push({ href: item.anchor.href, text: parts.slice(item.anchor.start).join('') });
      if (item.block) parts.push(LINE_BREAK);
    } else if (item.nodeType === 3) {
      parts.push(item.data);
    } else if (isElement(item) && !INVISIBLE_TAGS.has(item.name) && item.attribs.hidden === undefined) {
      const block = BLOCK_TAGS.has(item.name);
      if (block) parts.push(LINE_BREAK);
      const href = item.name === 'a' ? item.attribs.href : undefined;
      stack.push(href === undefined ? { block } : { block, anchor: { href, start: parts.length } });
      pushChildren<DomNode | ElementEnd>(stack, item.children);
    }
  }
  return { text: collapse(parts.join(''), LINE_BREAK), anchors };
}

function documentBase(href: string | undefined, pageUrl: URL): URL {
  if (href === undefined) return pageUrl;
  try {
    return new URL(href, pageUrl);
  } catch {
    return pageUrl;
  }
}

/** Only links the tool could follow: javascript:, data:, mailto: and the like are left out. */
function absoluteLink(href: string, base: URL): string | undefined {
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** One line per block, runs of whitespace as one space, no empty lines. */
function collapse(text: string, lineBreak: string): string {
  return text
    .split(lineBreak)
    .map(collapseLine)
    .filter((line) => line.length > 0)
    .join('\n');
}

function collapseLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function capText(text: string): { value: string; cut: boolean } {
  return text.length > MAX_TEXT_CHARS ? { value: text.slice(0, MAX_TEXT_CHARS), cut: true } : { value: text, cut: false };
}

// ---------------------------------------------------------------------------------------------
// http.request

/** Set by node:http or by this tool; a caller's value would smuggle requests or credentials. */
const FORBIDDEN_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'keep-alive',
  'expect',
  'proxy-authorization',
  'proxy-connection',
  'cookie',
  'accept-encoding',
]);

/** Response headers a model can use; Set-Cookie and the like stay out of its context. */
const RESPONSE_HEADERS = [
  'content-type',
  'content-length',
  'content-language',
  'etag',
  'last-modified',
  'cache-control',
  'location',
  'retry-after',
  'link',
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
];

export interface RequestResult {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  truncated: boolean;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);

async function httpRequest(args: Record<string, unknown>, fetcher: Fetcher, userAgent: string): Promise<RequestResult> {
  const method = String(args.method).toUpperCase();
  if (!METHODS.has(method)) throw new ToolError(`method must be one of ${[...METHODS].join(', ')}, got ${JSON.stringify(args.method)}`);
  const url = withQuery(parseUrl(args.url), args.query);
  const headers = requestHeaders(args.headers, userAgent);
  const body = encodeBody(args.body, method, headers);
  const response = await fetcher({ method, url, headers, ...(body ? { body } : {}) });
  return {
    url: response.url.href,
    status: response.status,
    headers: pickHeaders(response.headers),
    body: method === 'HEAD' ? '' : readableBody(response),
    truncated: response.truncated,
  };
}

function withQuery(url: URL, query: unknown): URL {
  if (typeof query !== 'object' || query === null) return url;
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== null && item !== undefined) url.searchParams.append(name, String(item));
    }
  }
  return url;
}

function requestHeaders(given: unknown, userAgent: string): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': userAgent, accept: 'application/json, text/*;q=0.9, */*;q=0.8' };
  for (const [name, value] of Object.entries(typeof given === 'object' && given !== null ? given : {})) {
    const key = name.toLowerCase();
    if (FORBIDDEN_HEADERS.has(key) || key.startsWith('proxy-')) throw new ToolError(`the ${name} header cannot be set by the caller`);
    if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(key)) throw new ToolError(`${JSON.stringify(name)} is not a valid header name`);
    // CR, LF or NUL would let a value start a header or request of its own.
    if (/[\r\n\0]/.test(String(value))) throw new ToolError(`the value of the ${name} header contains a line break`);
    headers[key] = String(value);
  }
  headers['accept-encoding'] = 'gzip, deflate, br';
  return headers;
}

function encodeBody(body: unknown, method: string, headers: Record<string, string>): string | undefined {
  if (body === undefined || body === null) return undefined;
  if (method === 'GET' || method === 'HEAD') throw new ToolError(`${method} requests take no body; put parameters in query`);
  if (typeof body === 'string') {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    return body;
  }
  headers['content-type'] ??= 'application/json';
  return JSON.stringify(body);
}

function pickHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  for (const name of RESPONSE_HEADERS) {
    const value = headers[name];
    if (value !== undefined) picked[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return picked;
}

function readableBody(response: Fetched): unknown {
  const { type, charset } = mediaType(response.headers);
  if (!isTextual(type)) return `[${response.bytes.length} bytes of ${type} not shown]`;
  const text = decodeText(response.bytes, charset);
  if (!isJson(type) || response.truncated) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// The executor

export interface BuiltinBackendOptions {
  /** Host name resolution; the system resolver by default. Every answer still passes the guard. */
  resolve?: Resolver;
}

export function createBuiltinBackend(options: BuiltinBackendOptions = {}): ToolExecutor<BuiltinBinding> {
  const resolve = options.resolve ?? systemResolver;
  return async (tool, args, ctx) => {
    const binding = tool.binding;
    const policy: AddressPolicy = {
      denyPrivateNetworks: binding.denyPrivateNetworks,
      allowPrivate: parseAllowPrivate(ctx.config.env[ALLOW_PRIVATE_ENV]),
    };
    const fetcher = createFetcher(binding, policy, resolve, ctx);
    const userAgent = ctx.config.userAgent;
    switch (binding.name) {
      case 'web.scrape':
        return scrape(args, fetcher, userAgent);
      case 'http.request':
        return httpRequest(args, fetcher, userAgent);
      default:
        throw new ToolError(`unknown built-in tool ${JSON.stringify((binding as { name: unknown }).name)}`);
    }
  };
}

export const builtinBackend: ToolExecutor<BuiltinBinding> = createBuiltinBackend();
