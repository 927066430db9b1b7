/**
 * What an authenticated caller may use: the roles of its token, mapped to tools by the spec's
 * `roles:` (glob patterns of tool names). Apart from inbound-auth.ts so that a server without
 * inbound auth never loads the JWT library.
 */
import { createRequire } from 'node:module';
import type { ServerDefinition } from '../definition.js';

export interface Principal {
  /** The token's `sub`, or `anonymous` when it has none. */
  subject: string;
  roles: string[];
}

let picomatch: typeof import('picomatch') | undefined;
// Required on first use, not imported: only servers with roles match globs.
const globs = () => (picomatch ??= createRequire(import.meta.url)('picomatch') as typeof import('picomatch'));

/**
 * Which tools a caller may see and call. Without roles in the definition every authenticated
 * caller may use every tool; with them, only what one of the caller's roles grants.
 */
export function toolFilter(definition: ServerDefinition, principal: Principal | undefined): (tool: string) => boolean {
  const roles = definition.roles;
  if (!principal || !roles || Object.keys(roles).length === 0) return () => true;
  const patterns = principal.roles.flatMap((role) => (Object.hasOwn(roles, role) ? roles[role]! : []));
  if (patterns.length === 0) return () => false;
  const match = globs()(patterns);
  return (tool) => match(tool);
}
