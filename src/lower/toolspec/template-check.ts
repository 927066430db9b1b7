/**
 * Load-time checks of `${…}` templates and bare JMESPath fields: syntax, the roots an expression
 * may read (`args`, `steps`, `response`), and that `args.x` names a declared argument — so a
 * typo fails at generation, not in the middle of a user's tool call.
 */
import { closest } from 'fastest-levenshtein';
import type { Diagnostic } from '../../diagnostics.js';
import { compileExpression, parseTemplate, TemplateError } from '../../runtime/template.js';

type Pointer = readonly (string | number)[];

export interface TemplateScope {
  /** Roots allowed here, e.g. ['args'] in a SQL query, ['args', 'steps', 'response'] in a later step. */
  roots: readonly string[];
  /** Declared argument names. */
  args: ReadonlySet<string>;
  /** Step ids defined before this point. */
  steps?: ReadonlySet<string>;
  /** Whether `${NAME}` environment references are allowed. */
  env: boolean;
}

interface Node {
  type: string;
  name?: string;
  left?: Node;
  right?: Node;
  child?: Node;
  value?: unknown;
  children?: Node[];
}

/** The first two fields of every chain that reads from the root of the data. */
function rootReads(node: Node | undefined, out: Array<[string, string | undefined]>): void {
  if (!node || typeof node !== 'object') return;
  switch (node.type) {
    case 'Field':
      out.push([String(node.name), undefined]);
      return;
    case 'Subexpression':
    case 'IndexExpression': {
      const chain = leftmost(node);
      if (chain) out.push(chain);
      else rootReads(node.left, out);
      return;
    }
    case 'Projection':
    case 'FilterProjection':
    case 'ValueProjection':
    case 'Pipe':
    case 'Flatten':
      // The right side (and a filter condition) reads each element, not the root.
      rootReads(node.left, out);
      return;
    case 'KeyValuePair':
      rootReads(node.value as Node, out);
      return;
    case 'ExpressionReference':
      return;
    default:
      if (node.left) rootReads(node.left, out);
      if (node.right) rootReads(node.right, out);
      if (node.child) rootReads(node.child, out);
      for (const c of node.children ?? []) rootReads(c, out);
  }
}

/** `a.b…` → ['a', 'b']; `a[0].b` → ['a', undefined]. */
function leftmost(node: Node): [string, string | undefined] | undefined {
  let left: Node | undefined = node;
  const path: Node[] = [];
  while (left && (left.type === 'Subexpression' || left.type === 'IndexExpression')) {
    path.push(left);
    left = left.left;
  }
  if (!left || left.type !== 'Field') return undefined;
  const parent = path[path.length - 1]!;
  const second = parent.type === 'Subexpression' && parent.right?.type === 'Field' ? String(parent.right.name) : parent.type === 'Subexpression' && parent.right?.type === 'IndexExpression' && parent.right.left?.type === 'Field' ? String(parent.right.left.name) : undefined;
  return [String(left.name), second];
}

/** Problems of one bare JMESPath expression. */
export function checkExpression(source: string, scope: TemplateScope, at: Pointer): Diagnostic[] {
  let ast: Node;
  try {
    ast = compileExpression(source) as unknown as Node;
  } catch (err) {
    return [{ message: err instanceof Error ? err.message : String(err), pointer: at, fix: 'see https://jmespath.site for the expression syntax' }];
  }
  const reads: Array<[string, string | undefined]> = [];
  rootReads(ast, reads);
  const problems: Diagnostic[] = [];
  for (const [root, second] of reads) {
    if (!scope.roots.includes(root)) {
      const env = /^[A-Z][A-Z0-9_]*$/.test(root);
      problems.push({
        message: `\${${source}} reads "${root}", which is not available here (available: ${scope.roots.join(', ') || 'only environment variables'})`,
        pointer: at,
        fix: env ? `environment variables are written \${${root}}, on their own` : `write args.${root} for an argument`,
      });
    } else if (root === 'args' && second !== undefined && !scope.args.has(second)) {
      problems.push({ message: `\${${source}} reads args.${second}, but the tool has no argument "${second}"`, pointer: at, fix: scope.args.size ? `did you mean "${closest(second, [...scope.args])}"? (arguments: ${[...scope.args].join(', ')})` : 'declare it under params:' });
    } else if (root === 'steps' && second !== undefined && scope.steps && !scope.steps.has(second)) {
      problems.push({ message: `\${${source}} reads steps.${second}, which is not an earlier step`, pointer: at, fix: scope.steps.size ? `earlier steps: ${[...scope.steps].join(', ')}` : 'a step can only read the steps before it' });
    }
  }
  return problems;
}

/** Problems of every `${…}` in a string, or in the strings of a JSON value. */
export function checkTemplate(template: unknown, scope: TemplateScope, at: Pointer): Diagnostic[] {
  if (Array.isArray(template)) return template.flatMap((item, i) => checkTemplate(item, scope, [...at, i]));
  if (template !== null && typeof template === 'object') {
    return Object.entries(template).flatMap(([key, value]) => checkTemplate(value, scope, [...at, key]));
  }
  if (typeof template !== 'string') return [];
  let parts;
  try {
    parts = parseTemplate(template);
  } catch (err) {
    return [{ message: err instanceof TemplateError ? `${err.message} in ${JSON.stringify(template)}` : String(err), pointer: at }];
  }
  return parts.flatMap((part) => {
    if (typeof part === 'string') return [];
    if (part.kind === 'env') {
      return scope.env ? [] : [{ message: `\${${part.name}} reads the environment, which is not allowed here`, pointer: at }];
    }
    return checkExpression(part.source, scope, at);
  });
}

/** The environment variable a template is exactly (`${NAME}`), if it is one and nothing else. */
export function soleEnvReference(text: string): string | undefined {
  try {
    const parts = parseTemplate(text);
    const only = parts.length === 1 ? parts[0] : undefined;
    if (only === undefined || typeof only === 'string' || only.kind !== 'env') return undefined;
    return only.fallback === undefined ? only.name : undefined;
  } catch {
    return undefined;
  }
}

/** Environment variables a template reads, for README and .env.example. */
export function envReferences(template: unknown): Array<{ name: string; fallback?: string }> {
  if (Array.isArray(template)) return template.flatMap(envReferences);
  if (template !== null && typeof template === 'object') return Object.values(template).flatMap(envReferences);
  if (typeof template !== 'string') return [];
  try {
    return parseTemplate(template).flatMap((p) => (typeof p !== 'string' && p.kind === 'env' ? [{ name: p.name, ...(p.fallback !== undefined ? { fallback: p.fallback } : {}) }] : []));
  } catch {
    return [];
  }
}
