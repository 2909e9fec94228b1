#!/usr/bin/env node
/**
 * Dead exports: a value (function, constant, class, enum) exported from src/ that no other file imports (src, tests, benches; the public API in
 * src/index.ts counts as an import). Either something should use it, or it should not be exported — or it is
 * dead code. Exits 1 listing each as file:line name, 0 when there is none.
 *
 * Reads imports with the TypeScript parser: static imports, `export … from`, `import * as`, and dynamic
 * `import('…')` (or the benches' `dist('…')`) whose result is destructured; a dynamic import used whole marks
 * every export of the module.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir, ext) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'fixtures' ? [] : files(p, ext);
    return ext.some((x) => e.name.endsWith(x)) ? [p] : [];
  });
}

const sources = files('src', ['.ts']);
const all = [...sources, ...files('test', ['.ts']), ...files('bench', ['.mjs'])];
const parse = (file) =>
  ts.createSourceFile(file, readFileSync(join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);

/** `./x.js` from `src/a/b.ts`, or `${root}dist/a/x.js` from a bench → `src/a/x.ts` (undefined if not ours). */
function target(from, spec) {
  const dist = /(?:^|\/)dist\/(.+)\.js$/.exec(spec);
  if (dist) return `src/${dist[1]}.ts`;
  if (!spec.startsWith('.')) return undefined;
  const p = relative(root, resolve(root, dirname(from), spec)).replace(/\.js$/, '.ts');
  return sources.includes(p) ? p : sources.includes(`${p}/index.ts`) ? `${p}/index.ts` : undefined;
}

const used = new Map(); // file → Set of names, or '*'
const mark = (file, name) => {
  if (!file) return;
  const set = used.get(file) ?? new Set();
  set.add(name);
  used.set(file, set);
};

/** The module text of `import('…')` / `dist('…')`: a literal, or a template's last literal part. */
function dynamicSpec(call) {
  const isImport = call.expression.kind === ts.SyntaxKind.ImportKeyword;
  const isDist = ts.isIdentifier(call.expression) && call.expression.text === 'dist';
  if (!isImport && !isDist) return undefined;
  const arg = call.arguments[0];
  if (!arg) return undefined;
  let text;
  if (ts.isStringLiteralLike(arg)) text = arg.text;
  else if (ts.isTemplateExpression(arg)) text = arg.templateSpans.at(-1)?.literal.text;
  if (text === undefined) return undefined;
  return isDist ? `dist/${text}` : text;
}

for (const file of all) {
  const sf = parse(file);
  const visit = (node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const to = target(file, node.moduleSpecifier.text);
      if (ts.isImportDeclaration(node)) {
        const bindings = node.importClause?.namedBindings;
        if (bindings && ts.isNamespaceImport(bindings)) mark(to, '*');
        if (bindings && ts.isNamedImports(bindings))
          for (const el of bindings.elements) mark(to, (el.propertyName ?? el.name).text);
      } else if (!node.exportClause) mark(to, '*');
      else if (ts.isNamedExports(node.exportClause))
        for (const el of node.exportClause.elements) mark(to, (el.propertyName ?? el.name).text);
    }
    if (ts.isCallExpression(node)) {
      const spec = dynamicSpec(node);
      if (spec !== undefined) {
        const to = target(file, spec);
        let up = node.parent;
        while (up && (ts.isAwaitExpression(up) || ts.isParenthesizedExpression(up) || ts.isAsExpression(up)))
          up = up.parent;
        if (up && ts.isVariableDeclaration(up) && ts.isObjectBindingPattern(up.name)) {
          for (const el of up.name.elements) mark(to, (el.propertyName ?? el.name).getText(sf));
        } else mark(to, '*');
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}

const isExported = (node) => node.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
const dead = [];
for (const file of sources) {
  if (file === 'src/index.ts' || file.endsWith('.test.ts')) continue;
  const names = used.get(file) ?? new Set();
  if (names.has('*')) continue;
  const sf = parse(file);
  const report = (name, node) => {
    if (!names.has(name)) {
      const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
      dead.push(`${file}:${line} ${name}`);
    }
  };
  for (const st of sf.statements) {
    if (
      ts.isExportDeclaration(st) &&
      !st.moduleSpecifier &&
      st.exportClause &&
      ts.isNamedExports(st.exportClause)
    ) {
      for (const el of st.exportClause.elements) report(el.name.text, el);
      continue;
    }
    if (!isExported(st)) continue;
    // Types and interfaces name the shapes exported functions take and return: part of the API, not code.
    if (ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st)) continue;
    if (ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) report(d.name.text, d);
    } else if (st.name && ts.isIdentifier(st.name)) report(st.name.text, st);
  }
}

if (dead.length > 0) {
  console.log(`${dead.length} export(s) nothing imports (use them, stop exporting them, or delete them):`);
  for (const d of dead) console.log(`  ${d}`);
  process.exit(1);
}
console.log(`no dead exports in ${sources.length} source files`);
