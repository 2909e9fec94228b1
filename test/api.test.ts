/**
 * The public library API as a library user meets it: `createLifecycle` on an anvil holding the bundled example,
 * then propose → approve → queue → execute → verify → status through what `patchgate` exports; the store and
 * the chain refused the way the CLI refuses them (a PatchgateError with a stable code and exit code); the
 * package's `exports` map (the entry resolves, `patchgate/dist/…` does not); and an `@example` in the TSDoc
 * of every function src/index.ts exports.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import type { LocalAccount } from 'viem';
import { mnemonicToAccount } from 'viem/accounts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorOf } from '../src/core/errors.fixture.js';
import {
  approve,
  createLifecycle,
  execute,
  type OpenLifecycle,
  PatchgateError,
  patchStatus,
  propose,
  queue,
  verify,
} from '../src/index.js';
import { REPO_ROOT } from './helpers/example.js';
import { type LiveExample, startLiveExample } from './helpers/live.js';

/** anvil's well-known accounts, as a script would derive them (no patchgate helper). */
const account = (i: number): LocalAccount =>
  mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: i });

describe('the tables a script matches on', () => {
  it('exports every error code, finding id and patch state with its type', async () => {
    const api = await import('../src/index.js');
    expect(api.ERROR_CODES['config-invalid']).toBe(2);
    expect(api.FINDING_IDS).toContain('storage-layout-incompatible');
    expect(api.PATCH_STATES).toContain('verified');
    expect(api.PATCH_TRANSITIONS.proposed).toContain('approved');
    expect(api.REPORT_FORMATS).toEqual(['text', 'json', 'md', 'sarif']);
  });
});

describe('public API: a patch through the library on an anvil', () => {
  let live: LiveExample;
  let scratch: string;

  beforeAll(async () => {
    live = await startLiveExample();
    scratch = mkdtempSync(join(tmpdir(), 'pg-api-'));
  }, 240_000);

  afterAll(async () => {
    await live?.anvil.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('createLifecycle + propose → approve → queue → execute → verify → status, config from its file', async () => {
    const lc: OpenLifecycle = await createLifecycle({
      rpc: live.anvil.rpcUrl,
      config: join(live.configDir, 'patchgate.config.json'),
      stateDir: live.stateDir, // the compiled example's cache; the store itself stays in memory
      store: { memory: true },
    });
    try {
      expect(lc.clients.chain.id).toBe(31337);
      expect(lc.projectDir).toBe(live.config.project.replace(/\/$/, ''));
      const proposed = await propose(lc, {
        patch: 'fix-flash-deposit',
        lane: 'standard',
        deployer: account(0),
      });
      expect([proposed.verdict, proposed.state, proposed.created]).toEqual(['pass', 'proposed', true]);
      const digest = proposed.digest;

      await approve(lc, { digest, signer: account(1) });
      const second = await approve(lc, { digest, signer: account(2) });
      expect(second.state).toBe('approved');
      expect((await queue(lc, { digest, submitter: account(0) })).state).toBe('queued');
      const executed = await execute(lc, { digest, submitter: account(0), wait: 'warp' });
      expect(executed.state).toBe('executed');

      const verified = await verify(lc, { digest });
      expect(verified.verdict).toBe('pass');
      expect(verified.state).toBe('verified');

      const stored = await lc.store.get(digest);
      if (!stored) throw new Error('the verified patch is not in the store');
      const status = await patchStatus(lc.store, stored, lc);
      expect(status.state).toBe('verified');
      expect(status.history.map((h) => h.to)).toEqual([
        'proposed',
        'approved',
        'queued',
        'executed',
        'verified',
      ]);
      expect(status.approvals.map((a) => a.signer).sort()).toEqual(
        [account(1).address, account(2).address].sort(),
      );
    } finally {
      await lc.close();
    }
  });

  it('takes the config as an object, validated like the file', async () => {
    const { system: _system, ...config } = live.config;
    const lc = await createLifecycle({
      rpc: live.anvil.rpcUrl,
      config,
      stateDir: live.stateDir,
      store: { memory: true },
    });
    try {
      expect(lc.config.live).toEqual(live.config.live);
      expect(lc.projectDir).toBe(live.config.project.replace(/\/$/, ''));
      expect(await lc.store.list()).toEqual([]);
    } finally {
      await lc.close();
    }
    const bad = await errorOf(
      createLifecycle({ rpc: live.anvil.rpcUrl, config: { ...config, polcy: {} } as never }),
    );
    expect([bad.code, bad.exitCode]).toEqual(['config-invalid', 2]);
    expect(bad.shortMessage).toMatch(/polcy.*did you mean `policy`/);
  });

  it('opens a PGlite store under stateDir only with create, and finds it again without', async () => {
    const stateDir = join(scratch, 'state');
    const opts = { rpc: live.anvil.rpcUrl, config: join(live.configDir, 'patchgate.config.json'), stateDir };
    const missing = await errorOf(createLifecycle(opts));
    expect([missing.code, missing.exitCode]).toEqual(['store-missing', 2]);
    expect(missing.shortMessage).toContain(join(stateDir, 'db'));
    expect(existsSync(join(stateDir, 'db'))).toBe(false);

    const created = await createLifecycle({ ...opts, create: true });
    await created.close();
    const reopened = await createLifecycle(opts);
    try {
      expect(await reopened.store.list()).toEqual([]);
    } finally {
      await reopened.close();
    }
  });

  it('refuses a bad RPC URL (exit 2), a dead node (exit 3) and a non-postgres store URL (exit 2)', async () => {
    const config = join(live.configDir, 'patchgate.config.json');
    const noScheme = await errorOf(createLifecycle({ rpc: 'localhost:8545', config }));
    expect(noScheme).toBeInstanceOf(PatchgateError);
    expect([noScheme.code, noScheme.exitCode]).toEqual(['bad-rpc-url', 2]);
    expect(noScheme.shortMessage).toContain('"localhost:8545" has no scheme');

    const dead = await errorOf(createLifecycle({ rpc: 'http://127.0.0.1:1', config }));
    expect([dead.code, dead.exitCode]).toEqual(['rpc-unreachable', 3]);

    const store = await errorOf(
      createLifecycle({ rpc: live.anvil.rpcUrl, config, store: 'mysql://db/patchgate' }),
    );
    expect([store.code, store.exitCode]).toEqual(['bad-database-url', 2]);
  });
});

describe('public API: the package entry', () => {
  /** A scratch project with `node_modules/patchgate` linked to this package (its built dist/), as npm installs it. */
  function importFromScratch(script: string): { code: number | null; stdout: string; stderr: string } {
    if (!existsSync(join(REPO_ROOT, 'dist/index.js')))
      throw new Error('dist/ is missing: run `npm run build`');
    const dir = mkdtempSync(join(tmpdir(), 'pg-consumer-'));
    try {
      mkdirSync(join(dir, 'node_modules'));
      symlinkSync(REPO_ROOT, join(dir, 'node_modules/patchgate'), 'dir');
      writeFileSync(join(dir, 'package.json'), '{"name":"consumer","type":"module","private":true}');
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: dir,
        encoding: 'utf8',
        timeout: 60_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it("resolves `import('patchgate')` and `patchgate/package.json`, and refuses `patchgate/dist/…`", () => {
    const r = importFromScratch(`
      const api = await import('patchgate');
      const pkg = await import('patchgate/package.json', { with: { type: 'json' } });
      const refused = [];
      for (const deep of ['patchgate/dist/index.js', 'patchgate/dist/lifecycle/create.js', 'patchgate/src/index.ts']) {
        try { await import(deep); } catch (e) { refused.push(e.code); }
      }
      console.log(JSON.stringify({ keys: Object.keys(api), name: pkg.default.name, refused }));
    `);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { keys: string[]; name: string; refused: string[] };
    expect(out.name).toBe('patchgate');
    for (const name of ['createLifecycle', 'propose', 'approve', 'queue', 'execute', 'cancel', 'verify'])
      expect(out.keys).toContain(name);
    for (const name of [
      'patchStatus',
      'pauseTarget',
      'runCheck',
      'runSimulate',
      'auditProxy',
      'verifyExport',
    ])
      expect(out.keys).toContain(name);
    expect(out.refused).toEqual(Array(3).fill('ERR_PACKAGE_PATH_NOT_EXPORTED'));
  });

  it('documents every exported function with a TSDoc @example', () => {
    const functions: string[] = [];
    const undocumented: string[] = [];
    for (const name of exportedNames(INDEX)) {
      const found = declarationOf(INDEX, name);
      if (!found) throw new Error(`src/index.ts exports ${name}, but its declaration was not found`);
      if (!found.isFunction) continue;
      functions.push(name);
      if (!ts.getJSDocTags(found.node).some((tag) => tag.tagName.text === 'example')) {
        const file = found.node.getSourceFile();
        const line = file.getLineAndCharacterOfPosition(found.node.getStart()).line + 1;
        undocumented.push(`${name} (${relative(REPO_ROOT, file.fileName)}:${line})`);
      }
    }
    expect(functions).toContain('createLifecycle');
    expect(functions.length).toBeGreaterThan(40);
    expect(undocumented).toEqual([]);
  });
});

// ── reading src/index.ts's exports from the sources (parsed, not type-checked: fast) ──

const INDEX = join(REPO_ROOT, 'src/index.ts');
const parsed = new Map<string, ts.SourceFile>();

function parse(file: string): ts.SourceFile {
  let sf = parsed.get(file);
  if (!sf) {
    sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    parsed.set(file, sf);
  }
  return sf;
}

const moduleFile = (from: string, spec: string): string =>
  resolve(dirname(from), spec).replace(/\.js$/, '.ts');

const isExported = (node: ts.Node): boolean =>
  ts.canHaveModifiers(node) &&
  (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);

/** The value names a module exports (types left out), following `export … from` and `export *`. */
function exportedNames(file: string): string[] {
  const names: string[] = [];
  for (const st of parse(file).statements) {
    if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
      if (!st.exportClause && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
        names.push(...exportedNames(moduleFile(file, st.moduleSpecifier.text)));
      } else if (st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) if (!el.isTypeOnly) names.push(el.name.text);
      }
    } else if (isExported(st) && (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
      names.push(st.name.text);
    } else if (isExported(st) && ts.isVariableStatement(st)) {
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) names.push(d.name.text);
    }
  }
  return names;
}

/** Where `name` is declared, through re-exports; a function declaration or a `const f = () => …` is a function. */
function declarationOf(file: string, name: string): { node: ts.Node; isFunction: boolean } | undefined {
  for (const st of parse(file).statements) {
    if (ts.isFunctionDeclaration(st) && st.name?.text === name && isExported(st) && st.body)
      return { node: st, isFunction: true };
    if (
      (ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st)) &&
      st.name?.text === name &&
      isExported(st)
    )
      return { node: st, isFunction: false };
    if (ts.isVariableStatement(st) && isExported(st)) {
      for (const d of st.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || d.name.text !== name) continue;
        const fn =
          d.initializer && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer));
        // A doc comment sits on the statement (`/** … */ export const f = …`).
        return { node: fn ? st : d, isFunction: Boolean(fn) };
      }
    }
    if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier)) {
      const target = moduleFile(file, st.moduleSpecifier.text);
      if (!st.exportClause) {
        const found = declarationOf(target, name);
        if (found) return found;
      } else if (ts.isNamedExports(st.exportClause)) {
        const el = st.exportClause.elements.find((e) => e.name.text === name);
        if (el) return declarationOf(target, (el.propertyName ?? el.name).text);
      }
    } else if (
      ts.isExportDeclaration(st) &&
      !st.moduleSpecifier &&
      st.exportClause &&
      ts.isNamedExports(st.exportClause)
    ) {
      // `export { parseAddress };` of an imported name: follow the import.
      const el = st.exportClause.elements.find((e) => e.name.text === name);
      if (el) return importedDeclaration(file, (el.propertyName ?? el.name).text);
    }
  }
  return undefined;
}

function importedDeclaration(
  file: string,
  local: string,
): { node: ts.Node; isFunction: boolean } | undefined {
  for (const st of parse(file).statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier)) continue;
    const bindings = st.importClause?.namedBindings;
    if (!bindings || !ts.isNamedImports(bindings)) continue;
    const el = bindings.elements.find((e) => e.name.text === local);
    if (el)
      return declarationOf(moduleFile(file, st.moduleSpecifier.text), (el.propertyName ?? el.name).text);
  }
  return undefined;
}
