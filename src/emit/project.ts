/**
 * ServerDefinition → the files of a standalone npm project, in memory and in a fixed order.
 * Only data (server-definition.json) varies with the spec; code is the copied runtime plus a
 * fixed entry point, so spec text can never become code.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import handlebarsRuntime from 'handlebars/runtime.js';
import { describeBinding } from './describe-binding.js';
import { hasView } from '../runtime/definition.js';
import type { AuthScheme, HandlerBinding, ServerDefinition, ToolDefinition } from '../runtime/definition.js';
import { envReferences } from '../lower/toolspec/template-check.js';
import { contractCases, type TestSamples } from './contract-cases.js';
import type { SchemaValidator } from '../runtime/validate.js';
import { emitHandlerTypes, typeBaseName } from './handler-types.js';
import { headerText } from './header.js';
import { PACKAGE_ROOT } from '../package-root.js';
import { dependenciesOf, runtimeClosure, type Dependencies } from './runtime-files.js';
import * as precompiled from './templates.js';
import { DEFAULTS, specDefaults } from '../runtime/defaults.js';
import { deployFiles, dnsLabel } from './deploy.js';
import { chooseView } from '../passes/views.js';

export interface ProjectFile {
  path: string;
  contents: string;
  /**
   * The user's file from the moment it exists (handlers): written only when missing, never
   * overwritten or deleted, and not listed in the manifest.
   */
  userOwned?: boolean;
  /** Its module specifiers, when known without scanning it (runtime copies: from the build's pack). */
  imports?: readonly string[];
}

export interface EmitOptions {
  specFile: string;
  transport: 'stdio' | 'http';
  mode: 'tools' | 'dynamic';
  /** Files copied into the project as they are (tool specs: SQL seeds). */
  assets?: Array<{ path: string; contents: string }>;
  /** npm packages the user's handlers import, and their build-time companions. */
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  /** Most tools that call an API (operations, http chains) given cases in test/contract-cases.json (default 50). */
  testBudget?: number;
  /** The verification's validator, whose compiled schemas the contract cases reuse. */
  validator?: SchemaValidator;
  /** Tool specs: step fixtures and examples for the contract cases. */
  samples?: TestSamples;
}

type BindingKind = ToolDefinition['binding']['kind'];

/** The executor each kind registers in the generated entry point, and the runtime module that has it. */
const BACKEND_IMPORTS: Partial<Record<BindingKind, { module: string; name: string }>> = {
  steps: { module: 'kinds/steps', name: 'stepsBackend' },
  sql: { module: 'kinds/sql', name: 'sqlBackend' },
  expression: { module: 'kinds/expression', name: 'expressionBackend' },
  builtin: { module: 'kinds/web', name: 'builtinBackend' },
};

/** The runtime modules the entry point imports: the project carries these and what they import. */
function runtimeEntries(kinds: ReadonlySet<BindingKind>, views: boolean): string[] {
  const backends = [...kinds].flatMap((kind) => (BACKEND_IMPORTS[kind] ? [`${BACKEND_IMPORTS[kind].module}.ts`] : []));
  // boot.ts is the bundler's second entry (the executable) and sdk-shims.ts its alias, not imports.
  return ['main.ts', 'boot.ts', 'sdk-shims.ts', ...(views ? ['apps/page.ts'] : []), ...(kinds.has('handler') ? ['handler.ts'] : []), ...backends.sort()];
}

const TEMPLATES_DIR = path.join(PACKAGE_ROOT, 'templates');
const PROJECT_TEMPLATES_DIR = path.join(TEMPLATES_DIR, 'project');
const KIND_TEMPLATES_DIR = path.join(TEMPLATES_DIR, 'kinds');

// Precompiled from templates/*.hbs (test/scripts/templates.mjs): only the small runtime loads here.
// (Its typings declare nothing of their own; it is the `template` half of the full API.)
const Handlebars = handlebarsRuntime as unknown as Pick<typeof import('handlebars'), 'template'>;
const templates = { readme: Handlebars.template(precompiled.readme), envExample: Handlebars.template(precompiled.envExample) };

/** Names the secrets an auth scheme reads, for README and .env.example. */
function secretsOf(scheme: AuthScheme): Array<{ env: string; meaning: string }> {
  const what = `for security scheme \`${scheme.id}\``;
  switch (scheme.type) {
    case 'apiKey':
      return [{ env: scheme.env, meaning: `API key sent in ${scheme.in} \`${scheme.name}\` ${what}` }];
    case 'bearer':
      return [{ env: scheme.env, meaning: `bearer token ${what}` }];
    case 'basic':
      return [
        { env: scheme.usernameEnv, meaning: `HTTP basic user name ${what}` },
        { env: scheme.passwordEnv, meaning: `HTTP basic password ${what}` },
      ];
    case 'oauth2ClientCredentials':
      return [
        { env: scheme.clientIdEnv, meaning: `OAuth2 client id ${what} (token from ${scheme.tokenUrl})` },
        { env: scheme.clientSecretEnv, meaning: `OAuth2 client secret ${what}` },
      ];
  }
}

/** Text safe in one Markdown table cell. */
function cell(text: string, max = 160): string {
  const line = text.split('\n')[0]!.trim();
  const cut = line.length > max ? `${line.slice(0, max - 1)}…` : line;
  return cut.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;');
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The project's files, sorted by path: the same definition and options always give the same bytes. */
export async function emitProject(def: ServerDefinition, options: EmitOptions): Promise<ProjectFile[]> {
  const header = headerText({ specFile: options.specFile });
  const kinds = new Set(def.tools.map((t) => t.binding.kind));
  const files: ProjectFile[] = [
    ...configFiles(def, header),
    ...(await sourceFiles(def, options, header, kinds)),
    ...(await testFiles(def, options, header, kinds)),
    ...deployFiles(
      def,
      header,
      Object.values(def.sources?.sql ?? {}).flatMap((s) => (s.seed === undefined ? [] : [s.seed])),
      ownPages(def).length > 0 ? ['views'] : [],
    ),
  ];
  // The packages the files above import (handlers are the user's: their packages come with the spec).
  files.push({ path: 'package.json', contents: packageJson(def, options, header, dependenciesOf(files.filter((f) => !f.userOwned))) });
  const context = docsContext(def, options, header, kinds);
  files.push({ path: 'README.md', contents: templates.readme(context) }, { path: '.env.example', contents: templates.envExample(context) });
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    lib: ['ES2023'],
    types: ['node'],
    rootDir: 'src',
    outDir: 'dist',
    strict: true,
    noUncheckedIndexedAccess: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
  },
  include: ['src/**/*.ts'],
};

/**
 * rolldown.config.mjs: `npm run build` type-checks with tsc and ships one bundle. Node's module
 * loader resolves and reads each file on its own, ~420 of them for a server (the SDK and zod
 * ~320): one file starts the server in about half the time (docs/benchmarks.md). The bundle is
 * CommonJS (dist/server.cjs) so that runtime/boot.ts, the executable dist/index.js, can run it
 * from V8's code cache. The same text for every project. The packages the user's own files import
 * (handlers and whatever they add beside them, native ones among them) are left to Node, as are
 * the two native SQL drivers; only the runtime and what it imports are bundled.
 */
const BUNDLER_CONFIG = (header: string) => `// ${header}
import { fileURLToPath } from 'node:url';

const nativeDrivers = ['better-sqlite3', 'pg'];
/** A file of the user's: under src/ but not the runtime mcp-gen copies in, and not a package. */
const usersFile = (file) => /[\\\\/]src[\\\\/]/.test(file) && !/[\\\\/](src[\\\\/]runtime|node_modules)[\\\\/]/.test(file);

/** @type {import('rolldown').RolldownOptions[]} */
export default [
  {
    input: 'src/index.ts',
    platform: 'node',
    // The SDK's node shim loads ajv at start; src/runtime/sdk-shims.ts says why and loads it on first use.
    resolve: { alias: { '@modelcontextprotocol/server/_shims': fileURLToPath(new URL('src/runtime/sdk-shims.ts', import.meta.url)) } },
    // Decided on the import as written (resolved ids, absolute paths, are the project's own files).
    external: (id, importer, isResolved) =>
      !isResolved && (nativeDrivers.includes(id) || (/^[^./]/.test(id) && !id.startsWith('node:') && usersFile(importer ?? ''))),
    logLevel: 'warn',
    output: { dir: 'dist', format: 'cjs', entryFileNames: 'server.cjs', chunkFileNames: 'chunks/[name]-[hash].cjs', sourcemap: true, cleanDir: true },
  },
  {
    input: 'src/runtime/boot.ts',
    platform: 'node',
    logLevel: 'warn',
    // The package's bin: runnable as a command.
    output: { dir: 'dist', format: 'esm', entryFileNames: 'index.js', banner: '#!/usr/bin/env node' },
  },
];
`;

/** tsconfig.json, the bundler's configuration, the definition the server reads, .gitignore. */
function configFiles(def: ServerDefinition, header: string): ProjectFile[] {
  // A SQLite database created from a seed at first start is data, not part of the project.
  const runtimeData = def.sources?.sql ? 'data/*.db\ndata/*.db-journal\n' : '';
  return [
    { path: 'tsconfig.json', contents: `// ${header}\n${JSON.stringify(TSCONFIG, null, 2)}\n` },
    { path: 'rolldown.config.mjs', contents: BUNDLER_CONFIG(header) },
    { path: 'server-definition.json', contents: json({ '//': header, ...def }) },
    { path: '.gitignore', contents: `# ${header}\nnode_modules/\ndist/\n.env\n${runtimeData}` },
  ];
}

/** The entry point, handler wiring and scaffolds, assets, and the runtime modules the entry point reaches. */
async function sourceFiles(def: ServerDefinition, options: EmitOptions, header: string, kinds: ReadonlySet<BindingKind>): Promise<ProjectFile[]> {
  const files: ProjectFile[] = [
    { path: 'src/index.ts', contents: entryPoint(options, header, hasViews(def)) },
    { path: 'src/backends.ts', contents: backendsModule(header, kinds) },
  ];
  const handlerTools = def.tools.filter((t) => t.binding.kind === 'handler');
  if (handlerTools.length > 0) {
    files.push({ path: 'src/tool-types.ts', contents: await emitHandlerTypes(handlerTools, header) }, { path: 'src/handlers.ts', contents: handlerRegistry(handlerTools, header) });
    for (const tool of handlerTools) {
      files.push({ path: `src/handlers/${(tool.binding as HandlerBinding).file}.ts`, contents: handlerScaffold(tool), userOwned: true });
    }
  }
  for (const asset of options.assets ?? []) files.push({ path: asset.path, contents: asset.contents });
  // A user's own view page starts as the standard one; from then on it is theirs.
  // (Loaded only then: the view's script is a quarter megabyte that generation otherwise never reads.)
  const pages = ownPages(def);
  if (pages.length > 0) {
    const { standardPage } = await import('../runtime/apps/page.js');
    for (const tool of pages) {
      const file = (tool.view as { file: string }).file;
      files.push({ path: `views/${file}`, contents: standardPage(tool, tool.outputSchema ? chooseView(tool.outputSchema) : { kind: 'json' }, true), userOwned: true });
    }
  }
  for (const { file, text, imports } of runtimeClosure(runtimeEntries(kinds, hasViews(def)))) files.push({ path: `src/runtime/${file}`, contents: `// ${header}\n${text}`, imports });
  return files;
}

/** The project's own tests: the fixed self-test, the tests of the kinds it uses, and the contract cases. */
async function testFiles(def: ServerDefinition, options: EmitOptions, header: string, kinds: ReadonlySet<BindingKind>): Promise<ProjectFile[]> {
  const copy = (dir: string, file: string): ProjectFile => ({ path: `test/${file}`, contents: `// ${header}\n${readFileSync(path.join(dir, file), 'utf8')}` });
  return [
    // Fixed files, the same for every project: a self-test that needs no network.
    ...readdirSync(PROJECT_TEMPLATES_DIR)
      .sort()
      // Upstream faults need an upstream: tools whose requests the spec describes.
      .filter((file) => file !== 'resilience.test.ts' || kinds.has('http') || kinds.has('steps'))
      .map((file) => copy(PROJECT_TEMPLATES_DIR, file)),
    // Tests of the YAML tool kinds this project uses (read-only SQL, expression limits, handler wiring, SSRF guard).
    ...readdirSync(KIND_TEMPLATES_DIR)
      .sort()
      .filter((file) => kinds.has(file.replace(/\.test\.ts$/, '') as BindingKind))
      .map((file) => copy(KIND_TEMPLATES_DIR, file)),
    // The data of test/contract.test.ts: per operation, synthesised arguments and the request the spec says they make.
    { path: 'test/contract-cases.json', contents: json({ '//': header, ...(await contractCases(def, options.testBudget, options.validator, options.samples)) }) },
  ];
}

function packageJson(def: ServerDefinition, options: EmitOptions, header: string, derived: Dependencies): string {
  const name = def.server.name;
  return json({
    '//': header,
    name,
    version: /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(def.server.version) ? def.server.version : '0.0.0',
    description: `MCP server for ${def.server.title ?? name}`,
    private: true,
    type: 'module',
    bin: { [name]: 'dist/index.js' },
    main: 'dist/index.js',
    files: ['dist', 'server-definition.json', ...(options.assets?.length ? ['data'] : []), ...(ownPages(def).length > 0 ? ['views'] : [])],
    // The CommonJS bundle require()s the ES-module packages a user's handler may import: Node
    // does that unflagged from 20.19 and 22.12.
    engines: { node: '^20.19.0 || >=22.12.0' },
    scripts: { build: 'tsc -p tsconfig.json --noEmit && rolldown -c && node dist/index.js --code-cache', start: 'node dist/index.js', test: 'vitest run' },
    // The user's handler packages; ours win on a clash, because the runtime is tested with them.
    dependencies: sortKeys({ ...options.dependencies, ...derived.dependencies }),
    devDependencies: sortKeys({ ...options.devDependencies, ...derived.devDependencies }),
  });
}

/** What the README and .env.example templates show. */
function docsContext(def: ServerDefinition, options: EmitOptions, header: string, kinds: ReadonlySet<BindingKind>) {
  const name = def.server.name;
  const secrets = def.auth.flatMap(secretsOf);
  const absolute = def.baseUrls.filter((u) => /^https?:\/\//.test(u));
  const env = Object.fromEntries(secrets.map((s) => [s.env, '']));
  const tuning = specDefaults(def.config);
  return {
    header,
    name,
    // Docker image tags and Kubernetes names: lower-case letters, digits and dashes.
    imageName: dnsLabel(name),
    title: def.server.title ?? name,
    description: def.server.description ?? '',
    apiVersion: def.server.version,
    specFile: options.specFile.replace(/[^\w.@+-]/g, '_'),
    toolCount: def.tools.length,
    baseUrl: absolute[0] ?? '',
    hasFallbacks: absolute.length > 1,
    transport: options.transport,
    mode: options.mode,
    secrets,
    usesApiBaseUrl: kinds.has('http'),
    handlers: def.tools.flatMap((t) => (t.binding.kind === 'handler' ? [`src/handlers/${t.binding.file}.ts`] : [])),
    specEnv: specEnvironment(def),
    // What the server uses when nothing else is set: the runtime's defaults under the spec's `config:`.
    defaults: { ...DEFAULTS, ...tuning, timeoutSeconds: tuning.timeoutMs / 1000 },
    absPathHint: `/path/to/${name}`,
    views: def.tools.filter(hasView).length,
    jsonTextTools: def.tools.filter((t) => t.jsonTextArguments?.length).length,
    tools: def.tools.map((t) => ({ name: t.name, calls: cell(describeBinding(t.binding), 200), summary: cell(t.title ?? t.description) })),
    clientJson: JSON.stringify({ mcpServers: { [name]: { command: 'node', args: [`/path/to/${name}/dist/index.js`], env } } }, null, 2),
    vscodeJson: JSON.stringify({ servers: { [name]: { type: 'stdio', command: 'node', args: [`/path/to/${name}/dist/index.js`], env } } }, null, 2),
  };
}

/** Environment variables a tool spec's sources and templates read, for README and .env.example. */
function specEnvironment(def: ServerDefinition): Array<{ env: string; meaning: string; default: string }> {
  const out = new Map<string, { env: string; meaning: string; default: string }>();
  const add = (env: string, meaning: string, fallback: string | undefined) => {
    if (!out.has(env)) out.set(env, { env, meaning: cell(meaning), default: fallback ? `\`${cell(fallback)}\`` : '–' });
  };
  for (const [name, source] of Object.entries(def.sources?.http ?? {})) {
    add(source.baseUrlEnv, `base URL of the \`${name}\` source`, source.baseUrl);
    for (const ref of envReferences(source)) add(ref.name, `read by the \`${name}\` source`, ref.fallback);
  }
  for (const [name, source] of Object.entries(def.sources?.sql ?? {})) {
    for (const ref of envReferences(source.url)) add(ref.name, `database of the \`${name}\` source (\`postgres://…\` or \`sqlite:path\`)`, ref.fallback);
  }
  for (const tool of def.tools) {
    // OpenAPI operations (http bindings) hold spec text, never templates: nothing to scan.
    if (tool.binding.kind === 'http') continue;
    for (const ref of envReferences(tool.binding)) add(ref.name, `read by the \`${tool.name}\` tool`, ref.fallback);
  }
  if (def.tools.some((t) => t.binding.kind === 'builtin')) {
    add('MCP_WEB_ALLOW_PRIVATE', 'private or loopback hosts the web tools may reach anyway (comma-separated)', undefined);
  }
  return [...out.values()].sort((a, b) => (a.env < b.env ? -1 : 1));
}

function sortKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * src/backends.ts: the executors of the tool kinds this project uses, for the entry point and the
 * project's tests. Only closed choices (kinds, validated file names) reach it.
 */
function backendsModule(header: string, kinds: ReadonlySet<BindingKind>): string {
  const backends = [...kinds].sort().flatMap((kind) => {
    const imp = BACKEND_IMPORTS[kind];
    return imp ? [{ kind, ...imp }] : [];
  });
  const hasHandlers = kinds.has('handler');
  // The kinds load with their first call (see onFirstCall); the user's handlers are imported as they are.
  const entries = [
    ...backends.map((b) => `  ${b.kind}: onFirstCall(async () => (await import('./runtime/${b.module}.js')).${b.name}),`),
    ...(hasHandlers ? ['  handler: handlerBackend(handlers),'] : []),
  ];
  return [
    `// ${header}`,
    ...(hasHandlers ? ["import { handlers } from './handlers.js';"] : []),
    ...(hasHandlers ? ["import { handlerBackend } from './runtime/handler.js';"] : []),
    ...(backends.length > 0 ? ["import { onFirstCall } from './runtime/backend.js';"] : []),
    "import type { Backends } from './runtime/backend.js';",
    '',
    ...(entries.length > 0 ? ['export const backends: Backends = {', ...entries, '};'] : ['export const backends: Backends = {};']),
    '',
  ].join('\n');
}

/** Whether any tool has an MCP App view (then the project carries the page builder and its script). */
function hasViews(def: ServerDefinition): boolean {
  return def.tools.some(hasView);
}

/** Tools served by a page of the user's own, under views/. */
function ownPages(def: ServerDefinition): ToolDefinition[] {
  return def.tools.filter((tool) => tool.view?.kind === 'custom');
}

/** src/index.ts: reads the definition and starts the server with the project's backends (and view pages). */
function entryPoint(options: EmitOptions, header: string, views: boolean): string {
  return [
    `// ${header}`,
    "import { readFileSync } from 'node:fs';",
    "import { fileURLToPath } from 'node:url';",
    "import { backends } from './backends.js';",
    "import type { ServerDefinition } from './runtime/definition.js';",
    "import { main } from './runtime/main.js';",
    '',
    '// The tools are data: parsing JSON at start-up is fast at any API size and keeps spec text out of code.',
    "const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;",
    '',
    // Both values come from closed CLI choices, never from the spec.
    `main(definition, { MCP_TRANSPORT: '${options.transport}', MCP_MODE: '${options.mode}', ...process.env }, {`,
    views
      ? "  deps: { backends, projectDir: fileURLToPath(new URL('..', import.meta.url)), views: () => import('./runtime/apps/page.js') },"
      : "  deps: { backends, projectDir: fileURLToPath(new URL('..', import.meta.url)) },",
    '}).catch((err: unknown) => {',
    '  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\\n`);',
    '  process.exit(1);',
    '});',
    '',
  ].join('\n');
}

/** src/handlers.ts: tool name → the user's handler (regenerated; the handlers themselves are not). */
function handlerRegistry(tools: ToolDefinition[], header: string): string {
  const lines = tools.map((t, i) => `import { handler as handler${i} } from './handlers/${(t.binding as HandlerBinding).file}.js';`);
  return [
    `// ${header}`,
    "import type { AnyToolHandler } from './runtime/handler.js';",
    ...lines,
    '',
    'export const handlers: Record<string, AnyToolHandler> = {',
    ...tools.map((t, i) => `  ${JSON.stringify(t.name).replace(/^"|"$/g, "'")}: handler${i},`),
    '};',
    '',
  ].join('\n');
}

/** Written once: from then on the file is the user's. */
function handlerScaffold(tool: ToolDefinition): string {
  const base = typeBaseName(tool.name);
  return [
    `// The ${tool.name} tool. mcp-gen created this file once and will never overwrite it: it is yours.`,
    '// Argument and result types come from the spec (src/tool-types.ts is regenerated), so a schema',
    '// change that breaks this handler fails `npm run build`.',
    "import type { ToolHandler } from '../runtime/handler.js';",
    "import { ToolError } from '../runtime/handler.js';",
    `import type { ${base}Args, ${base}Result } from '../tool-types.js';`,
    '',
    `export const handler: ToolHandler<${base}Args, ${base}Result> = async (args, ctx) => {`,
    `  ctx.logger.debug('${tool.name} called', { arguments: Object.keys(args) });`,
    `  throw new ToolError('${tool.name} is not implemented yet: edit src/handlers/${(tool.binding as HandlerBinding).file}.ts');`,
    '};',
    '',
  ].join('\n');
}
