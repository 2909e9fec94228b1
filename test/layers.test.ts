/**
 * The layers of src/ point down only (README, Architecture): a folder imports only folders below it in LAYERS, and
 * no file imports itself back through a chain of imports. Read from the sources, so a new upward import or cycle
 * fails here, naming the file and the import.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

/** Bottom first. `index.ts` (the public API) sits on top of everything. */
const LAYERS = [
  'core',
  'config',
  'build',
  'ledger',
  'prove',
  'analyze',
  'chain',
  'setup',
  'govern',
  'embargo',
  'store',
  'system',
  'simulate',
  'anchor',
  'risk',
  'lifecycle',
  'audit',
  'watch',
  'report',
  'demo',
  'jobs',
  'server',
  'cli',
  'index.ts',
] as const;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/**
 * What a file imports, read with the TypeScript parser (comments, line breaks and odd spacing cannot hide one):
 * import and export declarations (type-only too), `import x = require()`, `typeof import()` types, dynamic
 * `import()` and `require()` / `createRequire(…)()` calls. Relative specifiers resolve to files; a specifier that
 * cannot be read (an `import()` of a computed value) or the package's own name is reported as such.
 */
function importsOf(file: string): { targets: string[]; problems: string[] } {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specs: string[] = [];
  const problems: string[] = [];
  const literal = (node: ts.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const visit = (node: ts.Node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) specs.push(spec);
    } else if (ts.isExternalModuleReference(node)) {
      const spec = literal(node.expression);
      if (spec !== undefined) specs.push(spec);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const spec = literal(node.argument.literal);
      if (spec !== undefined) specs.push(spec);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire =
        (ts.isIdentifier(callee) && callee.text === 'require') ||
        (ts.isCallExpression(callee) &&
          ts.isIdentifier(callee.expression) &&
          callee.expression.text === 'createRequire');
      if (isImport || isRequire) {
        const spec = literal(node.arguments[0]);
        if (spec !== undefined) specs.push(spec);
        else if (isImport) problems.push(`an import() of a computed value (line ${lineOf(source, node)})`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const spec of specs)
    if (spec === 'patchgate' || spec.startsWith('patchgate/'))
      problems.push(`imports its own package "${spec}"`);
  const targets = specs
    .filter((s) => s.startsWith('./') || s.startsWith('../'))
    .map((s) => resolve(dirname(file), s).replace(/\.js$/, '.ts'));
  return { targets, problems };
}

const lineOf = (source: ts.SourceFile, node: ts.Node) =>
  source.getLineAndCharacterOfPosition(node.getStart()).line + 1;

const layerOf = (file: string): string => {
  const rel = relative(SRC, file);
  return rel.includes(sep) ? (rel.split(sep)[0] as string) : rel;
};

const files = sources(SRC);
/**
 * The computed `import()`s src/ may make: each loads a file that is not ours (so no layer), by a URL made at run time.
 */
const COMPUTED_IMPORTS_ALLOWED = [
  'config/load.ts: an import() of a computed value', // the user's patchgate.config.ts / .mjs
  'govern/approval.test.ts: an import() of a computed value', // docs' digest recipe, written to a temp file
];

const read = new Map(files.map((f) => [f, importsOf(f)]));
const graph = new Map([...read].map(([f, r]) => [f, r.targets]));

describe('layers', () => {
  it('every folder and top-level file of src/ has a place in LAYERS', () => {
    const unplaced = [...new Set(files.map(layerOf))].filter(
      (l) => !(LAYERS as readonly string[]).includes(l),
    );
    expect(unplaced).toEqual([]);
  });

  it('every import can be read, and none goes through the package name', () => {
    const problems = [...read]
      .flatMap(([f, r]) => r.problems.map((p) => `${relative(SRC, f)}: ${p}`))
      .filter((p) => !COMPUTED_IMPORTS_ALLOWED.some((allowed) => p.startsWith(allowed)));
    expect(problems).toEqual([]);
  });

  it('every relative import resolves to a file in src/', () => {
    const missing = [...graph].flatMap(([f, targets]) =>
      targets.filter((t) => !graph.has(t)).map((t) => `${relative(SRC, f)} → ${relative(SRC, t)}`),
    );
    expect(missing).toEqual([]);
  });

  it('no folder imports a folder above it', () => {
    const rank = (f: string) => LAYERS.indexOf(layerOf(f) as (typeof LAYERS)[number]);
    const upward = [...graph].flatMap(([f, targets]) =>
      targets
        .filter((t) => rank(t) > rank(f))
        .map((t) => `${relative(SRC, f)} imports ${relative(SRC, t)} (${layerOf(t)} is above ${layerOf(f)})`),
    );
    expect(upward).toEqual([]);
  });

  it('no import cycle between files', () => {
    // Tarjan's strongly connected components; a component of more than one file is a cycle.
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const onStack = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index);
      index++;
      stack.push(v);
      onStack.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!graph.has(w)) continue;
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
        } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
      }
      if (low.get(v) === idx.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(relative(SRC, w));
        } while (w !== v);
        if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component.sort());
      }
    };
    for (const f of files) if (!idx.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('README lists the layers in this order', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('Layers, bottom first:'));
    expect(line, 'README needs a line "Layers, bottom first: core → config → …"').toBeDefined();
    const named = (line as string)
      .replace('Layers, bottom first:', '')
      .split('→')
      .map((s) =>
        s
          .trim()
          .replace(/[`/.]+$/g, '')
          .replace(/`/g, ''),
      );
    expect(named).toEqual(
      LAYERS.map((l) => l.replace(/\.ts$/, '')).map((l) => (l === 'index' ? 'index.ts' : l)),
    );
  });
});
