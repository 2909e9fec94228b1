/**
 * A new embedded store costs an initdb: PGlite builds an empty cluster in WebAssembly, 10 s or more here, and
 * the result is the same every time for one PGlite version. The first store made on a machine builds that empty
 * cluster once, into the user's cache (`$PATCHGATE_CACHE_DIR`, else `$XDG_CACHE_HOME/patchgate`, else
 * `~/.cache/patchgate`), as `pglite-<version>/cluster/` with `manifest.json` (its files' SHA-256) beside it, both
 * renamed into place at once; every new store starts as a copy of it (a fraction of a second).
 *
 * A store is the approvals and the log: a template someone else could have edited (an event trigger planted in
 * it would see every table patchgate creates) is not used. The template is used only when the cache folders are
 * this user's and writable by no one else, and every file hashes to the manifest written with it; otherwise the
 * store is made by initdb as before, and nothing is lost but time.
 */
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, relative } from 'node:path';

function cacheRoot(): string {
  const env = process.env;
  if (env.PATCHGATE_CACHE_DIR) return env.PATCHGATE_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'patchgate');
}

/** The installed PGlite's version (its package.json is not exported: found from its entry point). */
function pgliteVersion(): string {
  let dir = dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const { version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
  if (typeof version !== 'string' || !/^[\w.+-]+$/.test(version)) throw new Error('no PGlite version');
  return version;
}

/** Every file under `dir`, relative, sorted, with its SHA-256. */
function manifestOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (path: string) => {
    for (const name of readdirSync(path).sort()) {
      const full = join(path, name);
      const st = lstatSync(full);
      if (st.isDirectory()) walk(full);
      else if (st.isFile())
        out[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
      else throw new Error(`${full} is neither a file nor a folder`);
    }
  };
  walk(dir);
  return out;
}

/** This user's, and writable by no one else (group or others): from `path` up to the cache root. */
function ownedAndPrivate(path: string, root: string): boolean {
  const uid = process.getuid?.();
  for (let p = path; ; p = dirname(p)) {
    const st = lstatSync(p, { throwIfNoEntry: false });
    if (!st || st.isSymbolicLink()) return false;
    if (uid !== undefined && st.uid !== uid) return false;
    if ((st.mode & 0o022) !== 0) return false;
    if (p === root || dirname(p) === p) return true;
  }
}

interface Template {
  root: string;
  /** `pglite-<version>/`: `cluster/` and `manifest.json`. */
  dir: string;
}

function templatePaths(): Template {
  const root = cacheRoot();
  return { root, dir: join(root, `pglite-${pgliteVersion()}`) };
}

/** The template's cluster, checked: undefined when it is missing, not private or not what its manifest says. */
function verifiedTemplate(t: Template): string | undefined {
  const cluster = join(t.dir, 'cluster');
  const manifestFile = join(t.dir, 'manifest.json');
  if (!existsSync(cluster) || !existsSync(manifestFile)) return undefined;
  if (!ownedAndPrivate(cluster, t.root) || !ownedAndPrivate(manifestFile, t.root)) return undefined;
  try {
    const expected = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, string>;
    const actual = manifestOf(cluster);
    const keys = Object.keys(expected);
    if (keys.length === 0 || keys.length !== Object.keys(actual).length) return undefined;
    return keys.every((k) => actual[k] === expected[k]) ? cluster : undefined;
  } catch {
    return undefined;
  }
}

/** Builds the template (initdb into a private temp folder, then renamed into place); undefined if it cannot. */
async function buildTemplate(t: Template): Promise<string | undefined> {
  try {
    mkdirSync(t.root, { recursive: true, mode: 0o700 });
    if (!ownedAndPrivate(t.root, t.root)) return undefined;
    const tmp = mkdtempSync(join(t.root, '.pglite-'));
    try {
      const cluster = join(tmp, 'cluster');
      const { PGlite } = await import('@electric-sql/pglite');
      const pg = await PGlite.create(cluster);
      await pg.close();
      writeFileSync(join(tmp, 'manifest.json'), JSON.stringify(manifestOf(cluster)), { mode: 0o600 });
      try {
        renameSync(tmp, t.dir); // cluster and manifest at once; fails if another process got there first
      } catch {
        // Theirs stays (and is verified below), ours goes.
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    return verifiedTemplate(t);
  } catch {
    return undefined;
  }
}

/**
 * Make `dataDir` (absent or empty) an empty PGlite cluster from the user's template, building the template
 * first if there is none. False when no trustworthy template can be had: the caller runs initdb itself.
 */
export async function seedFromTemplate(dataDir: string): Promise<boolean> {
  if (process.env.PATCHGATE_PGLITE_TEMPLATE === 'off') return false;
  try {
    const t = templatePaths();
    // A template that is there but fails its checks is not rebuilt over: someone else's folder, or an edit, is
    // not ours to replace. The store is made by initdb, and the user can remove the folder.
    const source = existsSync(t.dir) ? verifiedTemplate(t) : await buildTemplate(t);
    if (!source) return false;
    rmSync(dataDir, { recursive: true, force: true });
    cpSync(source, dataDir, { recursive: true });
    return true;
  } catch {
    // Whatever went wrong (a full disk mid-copy), the store is made the slow way, from nothing.
    rmSync(dataDir, { recursive: true, force: true });
    mkdirSync(dataDir, { recursive: true });
    return false;
  }
}
