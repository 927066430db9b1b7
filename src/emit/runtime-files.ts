/**
 * What a project carries of the runtime, and which npm packages its files need. Both are read
 * from the files themselves: the runtime files are the closure of the relative imports of the
 * entry modules the project uses, and the dependencies are the packages its emitted files
 * import. A runtime import nobody listed can then never reach a user as a failed
 * `npm install && npm run build` (test/unit/runtime-files.test.ts checks the reading against the
 * TypeScript compiler's own).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT, packageManifest } from '../package-root.js';

export const RUNTIME_DIR = path.join(PACKAGE_ROOT, 'src', 'runtime');

/**
 * Every runtime file's text and imports in one file, written by `npm run build`
 * (rolldown.config.mjs): reading ~30 files and scanning their imports cost ~10 ms of each
 * generation, one read of this ~1 ms.
 */
export const RUNTIME_PACK = path.join(PACKAGE_ROOT, 'dist', 'runtime-files.json');

interface RuntimeFile {
  text: string;
  /** Its module specifiers (importSpecifiers). */
  imports: string[];
}

interface PackedFile extends RuntimeFile {
  /** Its size in bytes, to notice an edit after the build. */
  bytes: number;
}

/**
 * `import … from 'x'`, `export … from 'x'`, `import 'x'` at the start of a line, and `import('x')`
 * where code can stand (a test compares with TypeScript's reading of every file mcp-gen emits;
 * `'import("fs")'` inside a string, as the calculator's hostile inputs have, is not an import).
 */
const IMPORT = /^\s*(?:import|export)(?=[\s{*])(?:[^'";]*?\bfrom\s*)?['"]([^'"]+)['"]|(?<![\w'"`.])import\(\s*['"]([^'"]+)['"]\s*\)/gm;
/** Block comments (JSDoc): spec descriptions reach src/tool-types.ts as these, and may say anything. */
const BLOCK_COMMENT = /\/\*[\s\S]*?\*\//g;

/** Every module specifier a TypeScript file imports, in order of appearance. */
export function importSpecifiers(text: string): string[] {
  return [...text.replace(BLOCK_COMMENT, '').matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

/** `@scope/name/sub.js` → `@scope/name`, `name/sub` → `name`; relative and `node:` imports → undefined. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('node:') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The pack's contents: every runtime file (path relative to src/runtime, `/`-separated), sorted. */
export function packRuntime(): string {
  const files = readdirSync(RUNTIME_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.split(path.sep).join('/'))
    .sort();
  const packed = (file: string): PackedFile => {
    const read = readRuntimeFile(file);
    return { ...read, bytes: Buffer.byteLength(read.text) };
  };
  return JSON.stringify(Object.fromEntries(files.map((file) => [file, packed(file)])));
}

function readRuntimeFile(file: string): RuntimeFile {
  const text = readFileSync(path.join(RUNTIME_DIR, file), 'utf8');
  return { text, imports: importSpecifiers(text) };
}

/**
 * In a checkout, whether a runtime file was edited after the build: newer than the pack, or of
 * another size; it is then read as it is. An installed mcp-gen (no tsconfig.json: it is not
 * published) always takes the pack: nobody edits its src/runtime, and npm gives every file the
 * time it was unpacked, so times say nothing there.
 */
export function editedSinceBuild(packed: PackedFile, file: { size: number; mtimeMs: number }, packMtimeMs: number): boolean {
  return file.size !== packed.bytes || file.mtimeMs > packMtimeMs;
}

let pack: { files: Record<string, PackedFile>; mtimeMs: number; checkout: boolean } | null | undefined;

function runtimeFile(file: string): RuntimeFile {
  if (pack === undefined) {
    try {
      const { mtimeMs } = statSync(RUNTIME_PACK);
      const files = JSON.parse(readFileSync(RUNTIME_PACK, 'utf8')) as Record<string, PackedFile>;
      pack = { files, mtimeMs, checkout: existsSync(path.join(PACKAGE_ROOT, 'tsconfig.json')) };
    } catch {
      pack = null; // not built: TypeScript run directly
    }
  }
  const packed = pack && Object.hasOwn(pack.files, file) ? pack.files[file] : undefined;
  if (packed && !(pack!.checkout && editedSinceBuild(packed, statSync(path.join(RUNTIME_DIR, file)), pack!.mtimeMs))) return packed;
  return readRuntimeFile(file);
}

/** Runtime files (paths relative to src/runtime) reachable from `entries` through relative imports, sorted. */
export function runtimeClosure(entries: readonly string[]): Array<{ file: string } & RuntimeFile> {
  const seen = new Map<string, RuntimeFile>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const read = runtimeFile(file);
    seen.set(file, read);
    for (const spec of read.imports) {
      if (!spec.startsWith('.')) continue;
      const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.js$/, '.ts');
      if (target.startsWith('..')) throw new Error(`runtime file ${file} imports ${spec}, outside the runtime: a generated project could not build`);
      visit(target);
    }
  };
  for (const entry of entries) visit(entry);
  return [...seen].map(([file, read]) => ({ file, text: read.text, imports: read.imports })).sort((a, b) => (a.file < b.file ? -1 : 1));
}

/** Build-time companions every project needs: the compiler, Node's types (tsconfig `types: ["node"]`) and the bundler. */
const TOOLCHAIN = ['@types/node', 'rolldown', 'typescript'];

export interface Dependencies {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}

/**
 * Version ranges for the packages the project's files import: the ones mcp-gen itself is built
 * and tested with. Packages imported only under test/ are dev dependencies, and so are the
 * `@types/*` companions that mcp-gen uses for the same packages.
 */
export function dependenciesOf(files: ReadonlyArray<{ path: string; contents: string; imports?: readonly string[] }>): Dependencies {
  const runtime = new Set<string>();
  const dev = new Set<string>(TOOLCHAIN);
  for (const file of files) {
    if (!file.path.endsWith('.ts')) continue;
    const into = file.path.startsWith('test/') ? dev : runtime;
    for (const spec of file.imports ?? importSpecifiers(file.contents)) {
      const name = packageOf(spec);
      if (name) into.add(name);
    }
  }
  const own = packageManifest();
  const known = { ...own.dependencies, ...own.devDependencies };
  for (const name of [...runtime, ...dev]) if (known[`@types/${name}`]) dev.add(`@types/${name}`);
  for (const name of runtime) dev.delete(name);
  const ranges = (names: Set<string>) =>
    Object.fromEntries(
      [...names].sort().map((name) => {
        const range = known[name];
        // A generator bug, not a user error: the runtime imports a package mcp-gen does not install.
        if (!range) throw new Error(`a generated file imports ${name}, which is not in mcp-gen's package.json: add it there`);
        return [name, range];
      }),
    );
  return { dependencies: ranges(runtime), devDependencies: ranges(dev) };
}
