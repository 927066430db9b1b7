/** argv → options → generate() or lint; exit 0 ok, 1 bad input, 2 usage. No logic of its own. */
import type { Argv } from 'yargs';
import { CLIENT_NAMES, DEFAULT_TEST_BUDGET, type ClientName } from './choices.js';
import { SpecError, WriteError, formatDiagnostic, groupDigits } from './diagnostics.js';
import type { DefinitionOptions } from './generate.js';
import type { Repair, RepairRule } from './passes/clients.js';
import { packageManifest } from './package-root.js';
import { DEFAULTS, MODES, TRANSPORTS } from './runtime/defaults.js';

/** `--x a,b --x c` → ['a', 'b', 'c']. */
const list = (values: string[] | undefined): string[] => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** Above this, every session of every client pays noticeably for tools/list: suggest dynamic mode. */
const LARGE_TOOLS_LIST = 100 * 1024;

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

/** Options shared by generation and lint: what to read and which operations become tools. */
function specOptions<T>(y: Argv<T>) {
  return y
    .positional('spec', { type: 'string', describe: 'OpenAPI document: path or http(s) URL', demandOption: true })
    .option('name', { type: 'string', describe: 'package and server name (default: derived from the API title)' })
    .option('base-url', { type: 'string', describe: "upstream base URL baked in instead of the spec's servers (API_BASE_URL overrides at run time)" })
    .option('client', { choices: CLIENT_NAMES, default: 'portable' as const, describe: "client whose rules the tools must meet (name budget with the client's prefix, $ref inlining, root combinators, description length); portable meets all (docs/clients.md)" })
    .option('max-name-length', { type: 'number', default: 64, describe: 'longest tool name; longer names are cut and given a stable hash suffix (the client profile may allow less)' })
    .option('include-tags', { type: 'string', array: true, describe: 'only operations with one of these tags (comma-separated or repeated)' })
    .option('exclude-tags', { type: 'string', array: true, describe: 'leave out operations with any of these tags' })
    .option('include', { type: 'string', array: true, describe: 'only operations whose operationId or path matches one of these globs' })
    .option('exclude', { type: 'string', array: true, describe: 'leave out operations whose operationId or path matches one of these globs' })
    .option('apps', { choices: ['on', 'off'] as const, default: 'on' as const, describe: 'MCP App views (tables, cards, charts) of tool results, for clients that negotiate the UI extension' })
    .option('allow-remote-refs', { type: 'boolean', default: false, describe: 'fetch $refs that point at http(s) URLs (off: such a spec is refused)' })
    .option('json', { type: 'boolean', default: false, describe: 'print a machine-readable summary on stdout' })
    .check((a) => {
      if (!Number.isInteger(a['max-name-length']) || a['max-name-length'] < 8 || a['max-name-length'] > 128) {
        throw new Error('--max-name-length must be an integer from 8 to 128');
      }
      if (a['base-url'] !== undefined && !/^https?:\/\/[^\s]+$/.test(a['base-url'])) throw new Error('--base-url must be an absolute http(s) URL');
      return true;
    });
}

async function main(argv: string[]): Promise<number> {
  const args = await parseArguments(argv);
  if (!args) return 2;
  const definitionOptions: DefinitionOptions = {
    spec: args.spec as string,
    ...(args.name ? { name: args.name as string } : {}),
    ...(args['base-url'] ? { baseUrl: args['base-url'] as string } : {}),
    maxNameLength: args['max-name-length'] as number,
    client: args.client as ClientName,
    allowRemoteRefs: args['allow-remote-refs'] as boolean,
    apps: args.apps as 'on' | 'off',
    filter: {
      includeTags: list(args['include-tags'] as string[] | undefined),
      excludeTags: list(args['exclude-tags'] as string[] | undefined),
      include: list(args.include as string[] | undefined),
      exclude: list(args.exclude as string[] | undefined),
    },
  };
  return args._[0] === 'lint' ? runLint(definitionOptions, args.json as boolean) : runGenerate(definitionOptions, args);
}

type Arguments = Awaited<ReturnType<Argv['parseAsync']>>;

/** argv → arguments, or undefined after a usage error (already printed). */
async function parseArguments(argv: string[]): Promise<Arguments | undefined> {
  const { default: yargs } = await import('yargs');
  let usageError = false;
  const args = await yargs(argv)
    .scriptName('mcp-gen')
    .usage('$0 <spec> [-o <dir>]\n\nGenerate an MCP server project from an OpenAPI 2.0 / 3.0 / 3.1 document (file or http(s) URL).')
    .command('lint <spec>', "report each tool's size and the repairs its schemas needed; writes nothing", (y) => specOptions(y))
    .command('$0 <spec>', 'generate a server project (the default command)', (y) =>
      specOptions(y)
        .option('out', { alias: 'o', type: 'string', describe: 'output directory (default: derived from the API title)' })
        .option('transport', { choices: TRANSPORTS, default: DEFAULTS.transport, describe: 'default transport of the generated server (MCP_TRANSPORT overrides at run time)' })
        .option('mode', { choices: MODES, default: DEFAULTS.mode, describe: 'tools: list every tool; dynamic: list three meta-tools that search, describe and call them (MCP_MODE overrides at run time)' })
        .option('force', { type: 'boolean', default: false, describe: 'write into a directory mcp-gen did not create, and overwrite generated files you edited (backups are kept)' })
        .option('check', { type: 'boolean', default: false, describe: 'write nothing; exit 1 if the output directory is not what would be generated' })
        .option('test-budget', { type: 'number', default: DEFAULT_TEST_BUDGET, describe: 'most tools that call an API (operations, http chains) given emitted contract cases; beyond it a deterministic sample' })
        .check((a) => {
          if (!Number.isInteger(a['test-budget']) || a['test-budget'] < 0) throw new Error('--test-budget must be a non-negative integer');
          return true;
        }),
    )
    .strict()
    .help()
    // Given, not looked up by yargs: inside the bundle yargs would find the package.json above its
    // own (bundled) file, i.e. whichever project mcp-gen is installed in.
    .version(packageManifest().version)
    // English throughout: the options' descriptions are, and the bundle carries no yargs locales.
    .locale('en')
    .fail((msg, err) => {
      usageError = true;
      process.stderr.write(`${msg ?? err?.message}\n\nRun mcp-gen --help for usage.\n`);
    })
    .parseAsync();
  return usageError ? undefined : args;
}

async function runGenerate(definitionOptions: DefinitionOptions, args: Arguments): Promise<number> {
  // The pipeline's modules are set up only now: --help and usage errors need none of them.
  const [{ generate }, { countTokens }] = await Promise.all([import('./generate.js'), import('./tokens/count.js')]);
  try {
    const result = await generate({
      ...definitionOptions,
      ...(args.out ? { outDir: args.out as string } : {}),
      transport: args.transport as 'stdio' | 'http',
      mode: args.mode as 'tools' | 'dynamic',
      force: args.force as boolean,
      check: args.check as boolean,
      testBudget: args['test-budget'] as number,
    });
    for (const w of result.warnings) process.stderr.write(`${formatDiagnostic(w, 'warning')}\n`);
    if (result.repairs.length > 0) process.stderr.write(`${repairSummary(result.repairs, args.client as string)}\n`);
    const tools = result.definition.tools.length;
    const tokens = listingTokens(() => countTokens([result.toolsListText])[0]!);
    const size = `tools/list ${kib(result.toolsListBytes)}${tokens === undefined ? '' : `, ${groupDigits(tokens)} tokens`}`;
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ outDir: result.outDir, tools, toolsListBytes: result.toolsListBytes, toolsListTokens: tokens, warnings: result.warnings.length, stale: result.stale, plan: result.plan }, null, 2)}\n`,
      );
    }
    if (args.check) {
      if (result.stale) {
        const p = result.plan;
        process.stderr.write(`${result.outDir} is out of date: ${[...p.create, ...p.update, ...p.conflicts, ...p.remove].join(', ')}\n`);
        return 1;
      }
      process.stderr.write(`${result.outDir} is up to date (${tools} tools)\n`);
      return 0;
    }
    const p = result.plan;
    const kept = p.orphaned.length ? `; kept edited files no longer generated: ${p.orphaned.join(', ')}` : '';
    const backups = p.backups?.length ? `; backups: ${p.backups.join(', ')}` : '';
    if (args.mode === 'tools' && (result.toolsListBytes > LARGE_TOOLS_LIST || tools > 100)) {
      process.stderr.write(`note: tools/list is ${kib(result.toolsListBytes)} for ${tools} tools; --mode dynamic (or MCP_MODE=dynamic) lists three meta-tools instead\n`);
    }
    process.stderr.write(
      `generated ${tools} tools into ${result.outDir} (${p.create.length} created, ${p.update.length + p.conflicts.length} updated, ${p.remove.length} removed; ${size})${kept}${backups}\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof SpecError) {
      for (const e of [err, ...(err.others ?? [])]) process.stderr.write(`${formatDiagnostic(e, 'error')}\n`);
      return 1;
    }
    if (err instanceof WriteError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** The count is a courtesy: a tokenizer that fails must not fail a generation that worked. */
function listingTokens(count: () => number): number | undefined {
  try {
    return count();
  } catch (err) {
    process.stderr.write(`note: tools/list tokens not counted: ${err instanceof Error ? err.message : String(err)}\n`);
    return undefined;
  }
}

/** One line for what the client profile changed; `mcp-gen lint` lists every repair with its location. */
function repairSummary(repairs: Repair[], client: string): string {
  const counts = new Map<string, number>();
  for (const r of repairs) counts.set(r.rule, (counts.get(r.rule) ?? 0) + 1);
  const what = { 'inline-refs': 'schemas cut while inlining $refs', 'root-combinator': 'root combinators merged', description: 'descriptions cut', 'name-start': 'names given a leading _', 'result-name': 'results with fields renamed for client validators', 'json-text': 'tools with free-form object arguments listed as JSON text', 'not-strict': 'input schemas OpenAI strict mode cannot take' } satisfies Record<RepairRule, string>;
  const parts = [...counts].map(([rule, n]) => `${n} ${what[rule as keyof typeof what]}`);
  return `note: --client ${client}: ${parts.join(', ')} (mcp-gen lint lists each)`;
}

async function runLint(options: DefinitionOptions, json: boolean): Promise<number> {
  const [{ buildDefinition }, { formatLintReport, lintReport, measureListing }] = await Promise.all([import('./generate.js'), import('./lint.js')]);
  try {
    const loaded = await buildDefinition({ ...options, fullCheck: true });
    const report = lintReport(loaded, measureListing(loaded));
    process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : formatLintReport(report, options.spec));
    return 0;
  } catch (err) {
    if (err instanceof SpecError) {
      const all = [err, ...(err.others ?? [])];
      if (json) process.stdout.write(`${JSON.stringify({ error: { message: err.message, location: err.location, fix: err.fix }, errors: all.map((e) => ({ message: e.message, location: e.location, fix: e.fix })) }, null, 2)}\n`);
      for (const e of all) process.stderr.write(`${formatDiagnostic(e, 'error')}\n`);
      return 1;
    }
    throw err;
  }
}

// No top-level await in this module: it is bundled as CommonJS (dist/generator.cjs), which has none.
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`mcp-gen: internal error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(70);
  },
);
