/** The patches in the store: name, state, lane, approvals k of n, each linking to its page. */
import { api, isSealed, type PatchDetail, type PatchStatus, type SealedPatch } from '../api';
import { threshold } from '../evidence';
import { ErrorBox, HexText, Loading, useLoad } from '../ui';

/** Each patch with its page's detail, for n (the API's list carries no threshold). */
async function loadPatches(): Promise<{ patch: PatchStatus | SealedPatch; n?: number }[]> {
  const { patches } = await api<{ patches: (PatchStatus | SealedPatch)[] }>('/api/patches');
  return Promise.all(
    patches.map(async (patch) => {
      if (isSealed(patch)) return { patch };
      const detail = await api<PatchDetail>(`/api/patches/${patch.digest}`).catch(() => undefined);
      return { patch, n: detail ? threshold(detail) : undefined };
    }),
  );
}

export function Patches() {
  const list = useLoad(loadPatches, []);
  return (
    <>
      <h1>Patches</h1>
      {list.loading && !list.value && <Loading what="the patches" />}
      {list.error !== undefined && <ErrorBox error={list.error} />}
      {list.value && list.value.length === 0 && (
        <p>No patch in this store yet. `patchgate propose` records one.</p>
      )}
      {list.value && list.value.length > 0 && (
        <div className="scroll">
          <table>
            <caption className="sr-only">Patches, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Patch</th>
                <th scope="col">State</th>
                <th scope="col">Lane</th>
                <th scope="col">Approvals</th>
                <th scope="col">Digest</th>
              </tr>
            </thead>
            <tbody>
              {list.value.map(({ patch, n }) =>
                isSealed(patch) ? (
                  <tr key={patch.commitment}>
                    <td>embargoed patch</td>
                    <td>
                      <span className={`state state-${patch.state}`}>{patch.state}</span>
                    </td>
                    <td colSpan={2} className="muted">
                      under embargo until it executes: only its commitment is public
                    </td>
                    <td>
                      <HexText value={patch.commitment} />
                    </td>
                  </tr>
                ) : (
                  <tr key={patch.digest}>
                    <td>
                      <a href={`#/patch/${patch.digest}`}>{patch.name ?? 'unnamed patch'}</a>
                    </td>
                    <td>
                      <span className={`state state-${patch.state}`}>{patch.state}</span>
                    </td>
                    <td>{patch.lane}</td>
                    <td data-testid="approvals">
                      {patch.approvals.length}/{n ?? '?'}
                    </td>
                    <td>
                      <HexText value={patch.digest} />
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
