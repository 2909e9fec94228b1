/**
 * Durable commits for the embedded store. PGlite 0.5 as shipped commits to the OS page cache only — three
 * things stand between "COMMIT returned" and "on disk":
 *   1. it starts postgres with `-F` (`fsync=off`), so postgres never asks for a sync;
 *   2. postgres's default `wal_sync_method` here is `fdatasync`, which Emscripten implements as a no-op;
 *   3. `fsync` reaches Emscripten's NODEFS, which has no `fsync` stream operation: also a no-op.
 * (`relaxedDurability` does not help: it only concerns the browser file systems' async flush; NodeFS writes
 * straight through to the host files.) So: postgres runs with `fsync=on` and `wal_sync_method=fsync`, and
 * NODEFS gets a real `fsync` (`fs.fsyncSync` on the host file descriptor) — every commit syncs the WAL before
 * returning, checkpoints sync the data files, and a failed sync is an error postgres stops on, not a silent
 * loss. A new store's files (initdb's output, copied in by PGlite without syncs) are synced once on creation.
 */
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import type { PGlite, PGliteOptions } from '@electric-sql/pglite';

/** PGlite's start parameters with fsync on (no `-F`) and a WAL sync method that reaches the disk. */
export function durableStartParams(defaults: readonly string[]): string[] {
  return [
    ...defaults.filter((p) => p !== '-F'),
    '-c',
    'fsync=on',
    '-c',
    'synchronous_commit=on',
    '-c',
    'wal_sync_method=fsync',
  ];
}

interface NodeFsModule {
  NODEFS: {
    stream_ops: Record<string, unknown> & { fsync?: (stream: { nfd?: number }) => number };
    tryFSOperation<T>(f: () => T): T;
  };
}

/** PGlite's NodeFS with a real fsync. */
export async function durableNodeFs(dataDir: string): Promise<NonNullable<PGliteOptions['fs']>> {
  const { NodeFS } = await import('@electric-sql/pglite/nodefs');
  class DurableNodeFS extends NodeFS {
    override async init(pg: PGlite, opts: Parameters<InstanceType<typeof NodeFS>['init']>[1]) {
      const out = await super.init(pg, opts);
      const preRun = out.emscriptenOpts.preRun ?? [];
      out.emscriptenOpts.preRun = [
        ...(Array.isArray(preRun) ? preRun : [preRun]),
        (mod: unknown) => {
          const { NODEFS } = mod as NodeFsModule;
          NODEFS.stream_ops.fsync = (stream) =>
            NODEFS.tryFSOperation(() => {
              if (typeof stream.nfd !== 'number') throw Object.assign(new Error('EBADF'), { code: 'EBADF' });
              fs.fsyncSync(stream.nfd);
              return 0;
            });
        },
      ];
      return out;
    }
  }
  return new DurableNodeFS(dataDir);
}

/** fsync every file and directory under `dir`, and `dir`'s entry in its parent: a new store, once. */
export function syncTree(dir: string): void {
  const sync = (path: string) => {
    const fd = fs.openSync(path, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  };
  const walk = (path: string) => {
    const st = fs.lstatSync(path);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(path)) walk(join(path, name));
      sync(path);
    } else if (st.isFile()) {
      sync(path);
    }
  };
  walk(dir);
  sync(dirname(dir));
}
