/**
 * The closed choices of the command line, apart from the code that acts on them, so that
 * `mcp-gen --help` and `--version` load nothing else.
 */

/** Clients whose tools/list rules a profile meets (src/passes/clients.ts has the rules). */
export const CLIENT_NAMES = ['portable', 'claude', 'openai', 'gemini', 'cursor', 'vscode'] as const;
export type ClientName = (typeof CLIENT_NAMES)[number];

/** Most OpenAPI operations given a case in the emitted contract test. */
export const DEFAULT_TEST_BUDGET = 50;
