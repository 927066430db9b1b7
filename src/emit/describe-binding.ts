import type { ToolBinding } from '../runtime/definition.js';

/** One line saying what a tool calls, for the generated README and lint reports, e.g. `GET /pets/{id}`. */
export function describeBinding(binding: ToolBinding): string {
  switch (binding.kind) {
    case 'http':
      return `${binding.method} ${binding.path}`;
    case 'steps':
      return binding.steps.map((s) => `${s.method} ${s.source}:${s.path}`).join(' → ');
    case 'sql':
      return `SQL on ${binding.source}`;
    case 'expression':
      return 'expression';
    case 'handler':
      return `handler src/handlers/${binding.file}.ts`;
    case 'builtin':
      return `builtin ${binding.name}`;
  }
}
