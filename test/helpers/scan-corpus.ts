/**
 * The scan's labelled corpus (test/fixtures/scan): contracts written in the shapes real incidents had, each with
 * the comment line above it that says what the scan must find in it (bench/lib/scan-labels.mjs reads them; the
 * bench and the corpus test share it). `X` and `XFixed` are a bug and its fix: the scan of the patch X → XFixed
 * must report X's findings as fixed.
 */
import { fileURLToPath } from 'node:url';
import { isProbe, type Labelled, labelledContracts as read } from '../../bench/lib/scan-labels.mjs';

export const SCAN_CORPUS = fileURLToPath(new URL('../fixtures/scan/', import.meta.url));
export { isProbe, type Labelled };

/** Every labelled contract of the corpus, in file order. */
export const labelledContracts = (): Labelled[] => read(SCAN_CORPUS);
