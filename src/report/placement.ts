/**
 * Where a report's source paths live in the repository: what SARIF URIs and Markdown links both start from. The
 * CLI reads it from the disk (src/cli/sarif-placement.ts); the renderers only compute paths from it.
 */
import { isAbsolute, relative, resolve } from 'node:path';

/** Where the paths are rooted and which source files are the repository's own. */
export interface SourcePlacement {
  /** The project directory: relative source paths start there. */
  rootDir?: string;
  /** The repository's top level: paths are made relative to it (default: rootDir). */
  sourceRoot?: string;
  /** Whether a source path (as findings carry it) is a file of the repository; default: every path is. */
  inRepository?: (file: string) => boolean;
}

/**
 * A relative, forward-slash path under `sourceRoot` (else rootDir) for a source path relative to rootDir or
 * absolute: `src/VaultV2.sol` of a project in `examples/vault` is `examples/vault/src/VaultV2.sol`.
 */
export function repositoryPath(file: string, placement: SourcePlacement): string {
  const { rootDir, sourceRoot } = placement;
  let rel = file;
  if (rootDir && sourceRoot) rel = relative(resolve(sourceRoot), resolve(rootDir, file));
  else if (rootDir && isAbsolute(file)) rel = relative(resolve(rootDir), file);
  return rel.replace(/\\/g, '/').replace(/^\.\//, '');
}
