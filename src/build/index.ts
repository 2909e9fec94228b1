export { type CompiledContract, compiled } from './artifact.js';
export { allContracts, findContract } from './find.js';
export { type GitReference, gitReferenceProject } from './git.js';
export { collectSources } from './imports.js';
export { cachedUnitKeys, detectLayout, loadProject, OUTPUT_SELECTION, sourcesInput } from './load.js';
export { ensureNamespaced } from './namespaced.js';
export { bundledSolcVersion, compileStandardJson } from './solc.js';
export type { CompilationUnit, ContractHandle, LoadProjectOptions, Project, ProjectLayout } from './types.js';
