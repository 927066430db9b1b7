/** OpenAPI `servers` → absolute (or root-relative) base URLs with variables at their defaults. */

interface RawServer {
  url?: unknown;
  variables?: Record<string, { default?: unknown }>;
}

export function lowerServers(servers: unknown, sourceUrl?: string): string[] {
  if (!Array.isArray(servers)) return [];
  const out: string[] = [];
  for (const s of servers as RawServer[]) {
    if (!s || typeof s.url !== 'string') continue;
    let url = s.url.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      const v = s.variables?.[name]?.default;
      return v === undefined ? whole : String(v);
    });
    if (sourceUrl && !/^[a-z][a-z0-9+.-]*:/i.test(url)) url = new URL(url, sourceUrl).toString();
    url = url.replace(/\/+$/, '');
    if (!out.includes(url)) out.push(url);
  }
  return out;
}
