/**
 * The runtime a project carries and the packages it declares (src/emit/runtime-files.ts): read
 * from the files, checked here against the TypeScript compiler's own reading of the imports, and
 * over every committed example: what its files import is exactly what its package.json lists.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { dependenciesOf, importSpecifiers, packageOf, RUNTIME_DIR, runtimeClosure } from '../../src/emit/runtime-files.js';
import { REPO } from '../helpers/project.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

const sources = [...filesUnder(RUNTIME_DIR), ...filesUnder(path.join(REPO, 'templates'))].filter((f) => f.endsWith('.ts'));

describe('importSpecifiers', () => {
  it.each(sources.map((f) => [path.relative(REPO, f), f]))('reads %s as the TypeScript compiler does', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const compiler = ts.preProcessFile(text, true, true).importedFiles.map((i) => i.fileName);
    expect(importSpecifiers(text)).toEqual(compiler);
  });

  it('skips an import inside a string and reads a lazy one', () => {
    expect(importSpecifiers(`const hostile = ['import("fs")'];\nconst m = await import('yaml');\nconst [g] = await Promise.all([import('./g.js')]);\nimport type { A } from './a.js';`)).toEqual(['yaml', './g.js', './a.js']);
  });

  it('reads what spec text may write into JSDoc as comments, not imports', () => {
    const types = `export interface FindArgs {\n  /** City as returned from "geocode", or import('x') */\n  city: string;\n}\nexport type FindResult = "from" | 'import';\n`;
    expect(importSpecifiers(types)).toEqual([]);
    expect(importSpecifiers("import {a}from 'x';\nimport{b} from 'y';\nexport*from './z.js';")).toEqual(['x', 'y', './z.js']);
  });

  it('names the package of a specifier', () => {
    expect(packageOf('@modelcontextprotocol/sdk/types.js')).toBe('@modelcontextprotocol/sdk');
    expect(packageOf('ajv/dist/2020.js')).toBe('ajv');
    expect(packageOf('node:fs')).toBeUndefined();
    expect(packageOf('./x.js')).toBeUndefined();
  });
});

describe('runtimeClosure', () => {
  it('carries what main.ts reaches and no tool kind it does not use', () => {
    const files = runtimeClosure(['main.ts']).map((f) => f.file);
    expect(files).toContain('upstream/http-client.ts');
    expect(files).toContain('transport/serve.ts');
    expect(files.filter((f) => f.startsWith('kinds/'))).toEqual([]);
  });

  it('adds a kind with the modules only it needs', () => {
    const files = runtimeClosure(['main.ts', 'kinds/sql.ts']).map((f) => f.file);
    expect(files).toEqual(expect.arrayContaining(['kinds/sql.ts', 'kinds/sql-check.ts']));
  });

  it('covers every runtime file from some entry point (no dead module is shipped or left behind)', () => {
    const entries = ['main.ts', 'boot.ts', 'sdk-shims.ts', 'apps/page.ts', 'handler.ts', 'kinds/steps.ts', 'kinds/sql.ts', 'kinds/expression.ts', 'kinds/web.ts'];
    const reached = new Set(runtimeClosure(entries).map((f) => f.file));
    const all = filesUnder(RUNTIME_DIR).map((f) => path.relative(RUNTIME_DIR, f).split(path.sep).join('/'));
    expect(all.filter((f) => !reached.has(f))).toEqual([]);
  });

  it('no runtime module imports the generator', () => {
    for (const file of filesUnder(RUNTIME_DIR)) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        expect(path.resolve(path.dirname(file), spec).startsWith(RUNTIME_DIR), `${path.relative(REPO, file)} imports ${spec}`).toBe(true);
      }
    }
  });
});

describe('dependenciesOf', () => {
  it('splits runtime and test packages, adds peers and @types companions, and refuses an unknown package', () => {
    const deps = dependenciesOf([
      { path: 'src/a.ts', contents: "import { Server } from '@modelcontextprotocol/server';\nimport pg from 'pg';" },
      { path: 'test/a.test.ts', contents: "import { it } from 'vitest';\nimport pg from 'pg';" },
    ]);
    expect(Object.keys(deps.dependencies)).toEqual(['@modelcontextprotocol/server', 'pg']);
    expect(Object.keys(deps.devDependencies)).toEqual(['@types/node', '@types/pg', 'rolldown', 'typescript', 'vitest']);
    expect(() => dependenciesOf([{ path: 'src/a.ts', contents: "import x from 'left-pad';" }])).toThrow(/left-pad/);
  });
});

const examples = readdirSync(path.join(REPO, 'generated')).filter((d) => statSync(path.join(REPO, 'generated', d)).isDirectory());

describe.each(examples)('generated/%s', (example) => {
  it('declares exactly the packages its files import (plus the toolchain)', () => {
    const dir = path.join(REPO, 'generated', example);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      scripts: Record<string, string>;
    };
    const imported = new Set<string>();
    for (const file of filesUnder(dir).filter((f) => f.endsWith('.ts'))) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        const name = packageOf(spec);
        if (name) imported.add(name);
      }
    }
    const declared = new Set([...Object.keys(pkg.dependencies), ...Object.keys(pkg.devDependencies)]);
    // The toolchain the build script runs (tsc, the bundler), and type packages.
    const toolchain = ['typescript', 'rolldown'].filter((t) => pkg.scripts.build!.includes(t === 'typescript' ? 'tsc ' : `${t} `));
    expect(toolchain).toEqual(['typescript', 'rolldown']);
    const implied = new Set([...toolchain, ...[...declared].filter((d) => d.startsWith('@types/'))]);
    expect([...imported].filter((n) => !declared.has(n)), 'imported but not declared').toEqual([]);
    expect([...declared].filter((n) => !imported.has(n) && !implied.has(n)), 'declared but not imported').toEqual([]);
  });

  it('needs no package beside its dependencies: none of them has a required peer', () => {
    // A required peer is installed by nobody unless the project lists it; none does today.
    const pkg = JSON.parse(readFileSync(path.join(REPO, 'generated', example, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(pkg.dependencies)) {
      const manifest = JSON.parse(readFileSync(path.join(REPO, 'node_modules', name, 'package.json'), 'utf8')) as {
        peerDependencies?: Record<string, string>;
        peerDependenciesMeta?: Record<string, { optional?: boolean }>;
      };
      const required = Object.keys(manifest.peerDependencies ?? {}).filter((p) => !manifest.peerDependenciesMeta?.[p]?.optional);
      expect(required.filter((peer) => !(peer in pkg.dependencies)), `${name}'s required peers`).toEqual([]);
    }
  });
});

describe("the generator's own imports", () => {
  /** Value imports (not `import type`) of a source file, as written. */
  // The compiler's reading: the generator's sources hold generated code in template strings.
  const valueImports = (text: string) =>
    ts.preProcessFile(text.replace(/^\s*(?:import|export)\s+type\s[^;]*?from\s*['"][^'"]+['"];?/gm, ''), true, true).importedFiles.map((i) => i.fileName);

  it('never reach a database driver, mathjs, undici or the MCP SDK, from the CLI through every lazy import', () => {
    const src = path.join(REPO, 'src');
    const seen = new Set<string>();
    const packages = new Map<string, string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      for (const spec of valueImports(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts'));
        else if (packageOf(spec)) packages.set(packageOf(spec)!, path.relative(REPO, file));
      }
    };
    // launch.ts runs the bundle of cli.ts and what it imports (rolldown.config.mjs).
    for (const entry of ['launch.ts', 'cli.ts']) visit(path.join(src, entry));
    expect(seen.size).toBeGreaterThan(30);
    for (const forbidden of ['better-sqlite3', 'pg', 'mathjs', 'cheerio', 'undici', '@modelcontextprotocol/sdk', '@modelcontextprotocol/server', 'zod', 'cockatiel', 'jose']) {
      expect(packages.get(forbidden), `${forbidden} imported by ${packages.get(forbidden)}`).toBeUndefined();
    }
  });
});
