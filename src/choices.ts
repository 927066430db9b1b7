/**
 * The closed choices of the command line, apart from the code that acts on them, so that
 * `mcp-gen --help` and `--version` load nothing else.
 */

/** Clients whose tools/list rules a profile meets (src/passes/clients.ts has the rules). */
export const CLIENT_NAMES = ['portable', 'claude', 'openai', 'gemini', 'cursor', 'vscode'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

/** Most tools that call an API (OpenAPI operations, tool-spec http chains) given cases in the emitted contract test. */
export const DEFAULT_TEST_BUDGET = 50;
