import type { CompilationUnit } from './types.js';

/** The source units `roots` need: themselves and everything they import, transitively. */
export function importClosure(unit: CompilationUnit, roots: readonly string[]): Set<string> {
  const seen = new Set<string>();
  const stack = [...roots];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const ast = unit.output.sources?.[name]?.ast as
      | { nodes?: { nodeType: string; absolutePath?: string }[] }
      | undefined;
    for (const node of ast?.nodes ?? []) {
      if (node.nodeType === 'ImportDirective' && node.absolutePath) stack.push(node.absolutePath);
    }
  }
  return seen;
}
