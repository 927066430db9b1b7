/**
 * ServerDefinition → the files of a standalone npm project, in memory and in a fixed order.
 * Only data (server-definition.json) varies with the spec; code is the copied runtime plus a
 * fixed entry point, so spec text can never become code.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Handlebars from 'handlebars';
import { describeBinding } from '../runtime/definition.js';
import type { AuthScheme, ServerDefinition } from '../runtime/definition.js';
import { headerText } from './header.js';

export interface ProjectFile {
  path: string;
  contents: string;
}

export interface EmitOptions {
  specFile: string;
  transport: 'stdio' | 'http';
  mode: 'tools' | 'dynamic';
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RUNTIME_DIR = path.join(ROOT, 'src', 'runtime');
const TEMPLATES_DIR = path.join(ROOT, 'templates');
const PROJECT_TEMPLATES_DIR = path.join(TEMPLATES_DIR, 'project');

/** Versions the generated project depends on: the ones mcp-gen itself is built and tested with. */
function dependencyRanges(): { dependencies: Record<string, string>; devDependencies: Record<string, string> } {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const all = { ...pkg.dependencies, ...pkg.devDependencies };
  const pick = (names: string[]) => Object.fromEntries(names.map((n) => [n, all[n] ?? 'latest']));
  return {
    dependencies: pick(['@modelcontextprotocol/sdk', 'ajv', 'ajv-formats', 'cockatiel', 'minisearch', 'yaml', 'zod']),
    devDependencies: pick(['@types/node', 'typescript', 'vitest']),
  };
}

const templates = new Map<string, HandlebarsTemplateDelegate>();
function render(name: string, context: object): string {
  let t = templates.get(name);
  if (!t) {
    t = Handlebars.compile(readFileSync(path.join(TEMPLATES_DIR, name), 'utf8'), { strict: true, noEscape: true, knownHelpersOnly: true });
    templates.set(name, t);
  }
  return t(context);
}

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

export function emitProject(def: ServerDefinition, options: EmitOptions): ProjectFile[] {
  const header = headerText({ specFile: options.specFile });
  const { dependencies, devDependencies } = dependencyRanges();
  const name = def.server.name;
  const files: ProjectFile[] = [];
  const add = (p: string, contents: string) => files.push({ path: p, contents });

  add(
    'package.json',
    json({
      '//': header,
      name,
      version: /^\d+\.\d+\.\d+(-[\w.]+)?$/.test(def.server.version) ? def.server.version : '0.0.0',
      description: `MCP server for ${def.server.title ?? name}`,
      private: true,
      type: 'module',
      bin: { [name]: 'dist/index.js' },
      main: 'dist/index.js',
      files: ['dist', 'server-definition.json'],
      engines: { node: '>=20' },
      scripts: { build: 'tsc -p tsconfig.json', start: 'node dist/index.js', test: 'vitest run' },
      dependencies,
      devDependencies,
    }),
  );
  add(
    'tsconfig.json',
    `// ${header}\n${JSON.stringify(
      {
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
      },
      null,
      2,
    )}\n`,
  );
  add('server-definition.json', json({ '//': header, ...def }));
  add('.gitignore', `# ${header}\nnode_modules/\ndist/\n.env\n`);

  add(
    'src/index.ts',
    [
      '#!/usr/bin/env node',
      `// ${header}`,
      "import { readFileSync } from 'node:fs';",
      "import type { ServerDefinition } from './runtime/definition.js';",
      "import { main } from './runtime/main.js';",
      '',
      '// The tools are data: parsing JSON at start-up is fast at any API size and keeps spec text out of code.',
      "const definition = JSON.parse(readFileSync(new URL('../server-definition.json', import.meta.url), 'utf8')) as ServerDefinition;",
      '',
      // Both values come from closed CLI choices, never from the spec.
      `main(definition, { MCP_TRANSPORT: '${options.transport}', MCP_MODE: '${options.mode}', ...process.env }).catch((err: unknown) => {`,
      '  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\\n`);',
      '  process.exit(1);',
      '});',
      '',
    ].join('\n'),
  );

  for (const file of readdirSync(RUNTIME_DIR).filter((f) => f.endsWith('.ts')).sort()) {
    add(`src/runtime/${file}`, `// ${header}\n${readFileSync(path.join(RUNTIME_DIR, file), 'utf8')}`);
  }

  // Fixed files, the same for every project: a self-test that needs no network.
  for (const file of readdirSync(PROJECT_TEMPLATES_DIR).sort()) {
    add(`test/${file}`, `// ${header}\n${readFileSync(path.join(PROJECT_TEMPLATES_DIR, file), 'utf8')}`);
  }

  const secrets = def.auth.flatMap(secretsOf);
  const absoluteBase = def.baseUrls.find((u) => /^https?:\/\//.test(u));
  const context = {
    header,
    name,
    title: def.server.title ?? name,
    description: def.server.description ?? '',
    apiVersion: def.server.version,
    specFile: options.specFile.replace(/[^\w.@+-]/g, '_'),
    toolCount: def.tools.length,
    baseUrl: absoluteBase ?? '',
    hasFallbacks: def.baseUrls.filter((u) => /^https?:\/\//.test(u)).length > 1,
    transport: options.transport,
    mode: options.mode,
    secrets,
    absPathHint: `/path/to/${name}`,
    tools: def.tools.map((t) => ({ name: t.name, calls: cell(describeBinding(t.binding), 200), summary: cell(t.title ?? t.description) })),
    clientJson: JSON.stringify({ mcpServers: { [name]: { command: 'node', args: [`/path/to/${name}/dist/index.js`], env: Object.fromEntries(secrets.map((s) => [s.env, ''])) } } }, null, 2),
    vscodeJson: JSON.stringify({ servers: { [name]: { type: 'stdio', command: 'node', args: [`/path/to/${name}/dist/index.js`], env: Object.fromEntries(secrets.map((s) => [s.env, ''])) } } }, null, 2),
  };
  add('README.md', render('README.md.hbs', context));
  add('.env.example', render('env.example.hbs', context));

  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
