/**
 * The `expression` tool kind: the tutorial's calculator without `eval`. Text is parsed by mathjs
 * and the syntax tree is checked against an allow-list before anything is evaluated: numbers,
 * arithmetic operators, parentheses, the spec's functions and constants — nothing else. No
 * assignment, member access, strings, matrices, ranges, blocks or conditionals can get through,
 * which is what mathjs's own security notes (mathjs.org/docs/expressions/security.html) advise
 * over trying to disable dangerous functions one by one.
 *
 * Why evaluation time is bounded without a worker or timer: the text is at most `maxLength`
 * characters (so at most MAX_NODES nodes and MAX_DEPTH nesting), every allowed function is a
 * scalar function of plain numbers (`predictable` mode: no complex numbers, no bignumbers, no
 * matrices), and factorial of a large number is Infinity at once (gamma), which is refused. Each
 * evaluation is a few microseconds; test/scripts/bench-expression.mjs measures it.
 */
import { all, create } from 'mathjs';
import type { MathNode } from 'mathjs';
import { ToolError } from './backend.js';
import type { ToolExecutor } from './backend.js';
import type { ExpressionBinding } from './definition.js';
import { renderTemplate } from './template.js';

/** Functions a spec may list: scalar functions of numbers only. */
export const ALLOWED_FUNCTIONS = [
  'abs', 'acos', 'acosh', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'cbrt', 'ceil', 'cos', 'cosh', 'exp', 'expm1',
  'factorial', 'fix', 'floor', 'gcd', 'hypot', 'lcm', 'log', 'log10', 'log1p', 'log2', 'max', 'min', 'mod', 'nthRoot',
  'pow', 'round', 'sign', 'sin', 'sinh', 'sqrt', 'tan', 'tanh',
] as const;

/** Constants a spec may list. */
export const ALLOWED_CONSTANTS = ['e', 'pi', 'tau', 'phi', 'LN2', 'LN10', 'LOG2E', 'LOG10E', 'SQRT1_2', 'SQRT2'] as const;

/** Binary and unary operators: arithmetic only (no comparison, logic, bitwise, unit conversion). */
const OPERATORS = new Set(['add', 'subtract', 'multiply', 'divide', 'pow', 'mod', 'unaryMinus', 'unaryPlus', 'factorial']);

const MAX_NODES = 500;
const MAX_DEPTH = 64;
const MAX_PRECISION = 15;

export interface Calculation {
  expression: string;
  result: number;
}

export interface Calculator {
  evaluate(text: string, precision?: number): Calculation;
}

// One mathjs instance for the process; expressions never reach its import/createUnit/evaluate,
// because only the allow-listed node types below are ever evaluated.
const math = create(all as NonNullable<typeof all>, { predictable: true, number: 'number' });

export function createCalculator(options: { functions: readonly string[]; constants: readonly string[]; maxLength: number }): Calculator {
  const functions = new Set(options.functions.filter((f) => (ALLOWED_FUNCTIONS as readonly string[]).includes(f)));
  const constants = new Set(options.constants.filter((c) => (ALLOWED_CONSTANTS as readonly string[]).includes(c)));
  const scope = new Map<string, number>([...constants].map((c) => [c, Number(math[c as keyof typeof math])]));
  return {
    evaluate(text, precision) {
      if (text.length > options.maxLength) throw new ToolError(`the expression is ${text.length} characters long; at most ${options.maxLength} are allowed`);
      if (text.trim() === '') throw new ToolError('the expression is empty');
      let tree: MathNode;
      try {
        tree = math.parse(text);
      } catch (err) {
        throw new ToolError(`cannot parse the expression: ${err instanceof Error ? err.message : String(err)}`);
      }
      check(tree, functions, constants);
      let value: unknown;
      try {
        value = tree.compile().evaluate(new Map(scope));
      } catch (err) {
        throw new ToolError(`cannot evaluate the expression: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new ToolError(`the result is not a finite number (${typeof value === 'number' ? String(value) : typeof value}); check for division by zero, overflow or a function outside its domain`);
      }
      const digits = Math.min(Math.max(Math.trunc(precision ?? MAX_PRECISION), 1), MAX_PRECISION);
      return { expression: text, result: Number(math.format(value, { precision: digits })) };
    },
  };
}

/** Walks the tree; throws a ToolError naming the first thing that is not allowed. */
function check(root: MathNode, functions: ReadonlySet<string>, constants: ReadonlySet<string>): void {
  let nodes = 0;
  const visit = (node: MathNode, depth: number): void => {
    nodes += 1;
    if (nodes > MAX_NODES) throw new ToolError(`the expression has more than ${MAX_NODES} parts`);
    if (depth > MAX_DEPTH) throw new ToolError(`the expression is nested more than ${MAX_DEPTH} levels deep`);
    switch (node.type) {
      case 'ConstantNode': {
        const value = (node as MathNode & { value: unknown }).value;
        if (typeof value !== 'number') throw new ToolError(`${JSON.stringify(value)} is not a number; only numbers are allowed`);
        return;
      }
      case 'SymbolNode': {
        const name = (node as MathNode & { name: string }).name;
        if (!constants.has(name)) throw new ToolError(`unknown name "${name}"${constants.size ? ` (constants: ${[...constants].join(', ')})` : ''}`);
        return;
      }
      case 'ParenthesisNode':
        visit((node as MathNode & { content: MathNode }).content, depth + 1);
        return;
      case 'OperatorNode': {
        const op = node as MathNode & { fn: string; op: string; args: MathNode[] };
        if (!OPERATORS.has(op.fn)) throw new ToolError(`the operator "${op.op}" is not allowed; use + - * / ^ % mod !`);
        if (op.fn === 'factorial' && !functions.has('factorial')) throw new ToolError('factorial (!) is not an allowed function');
        for (const arg of op.args) visit(arg, depth + 1);
        return;
      }
      case 'FunctionNode': {
        const call = node as MathNode & { fn: MathNode; args: MathNode[] };
        const name = call.fn.type === 'SymbolNode' ? (call.fn as MathNode & { name: string }).name : undefined;
        if (!name) throw new ToolError(`only the listed functions can be called, not ${call.fn.toString()}`);
        if (!functions.has(name)) throw new ToolError(`"${name}" is not an allowed function (allowed: ${[...functions].join(', ')})`);
        for (const arg of call.args) visit(arg, depth + 1);
        return;
      }
      default:
        throw new ToolError(`${describeNode(node.type)} is not allowed in an expression; use numbers, operators, parentheses and the listed functions`);
    }
  };
  visit(root, 0);
}

const NODE_NAMES: Record<string, string> = {
  AssignmentNode: 'assignment (=)',
  FunctionAssignmentNode: 'defining a function',
  AccessorNode: 'property access (.x or [x])',
  IndexNode: 'indexing',
  ArrayNode: 'a matrix or list ([...])',
  ObjectNode: 'an object ({...})',
  RangeNode: 'a range (a:b)',
  BlockNode: 'more than one expression (; or newline)',
  ConditionalNode: 'a conditional (? :)',
  RelationalNode: 'a comparison',
};

function describeNode(type: string): string {
  return NODE_NAMES[type] ?? type;
}

const calculators = new WeakMap<ExpressionBinding, Calculator>();

export const expressionBackend: ToolExecutor<ExpressionBinding> = async (tool, args, ctx) => {
  const binding = tool.binding;
  let calculator = calculators.get(binding);
  if (!calculator) {
    calculator = createCalculator(binding);
    calculators.set(binding, calculator);
  }
  const text = renderTemplate(binding.input, { args }, ctx.config.env);
  if (typeof text !== 'string') throw new ToolError('the expression must be a string');
  const precision = binding.precision === undefined ? undefined : renderTemplate(binding.precision, { args }, ctx.config.env);
  return calculator.evaluate(text, typeof precision === 'number' ? precision : undefined);
};
