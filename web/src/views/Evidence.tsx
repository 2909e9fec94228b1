/** A patch's evidence: the check report's findings, storage layout and proofs; the simulation's. */
import type { Finding, Report } from '../api';
import {
  gas,
  governancePath,
  invariants,
  pocs,
  proofs,
  replay,
  storageDiff,
  storageLayout,
} from '../evidence';
import { HexText, Section } from '../ui';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

/** Lines `line - 2` … `line + 2` of `file` (1-based), numbered, when the server sent that file. */
function linesAround(sources: Record<string, string> | undefined, file?: string, line?: number) {
  const text = file && line ? sources?.[file] : undefined;
  if (!text || !line) return undefined;
  const all = text.split('\n');
  const from = Math.max(1, line - 2);
  const to = Math.min(all.length, line + 2);
  const width = String(to).length;
  return all
    .slice(from - 1, to)
    .map((l, i) => `${String(from + i).padStart(width)}${from + i === line ? ' >' : '  '} ${l}`)
    .join('\n');
}

function Excerpt({ f, sources }: { f: Finding; sources?: Record<string, string> }) {
  const text = f.excerpt ?? f.source ?? linesAround(sources, f.location?.file, f.location?.line);
  if (!text) return null;
  return (
    <figure className="excerpt">
      <figcaption className="sr-only">Source excerpt of {f.id}</figcaption>
      <pre>{text}</pre>
    </figure>
  );
}

export function Findings({ check, sources }: { check?: Report; sources?: Record<string, string> }) {
  if (!check) return <p className="muted">No check report in the evidence.</p>;
  const findings = [...(check.findings ?? [])].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
  );
  return (
    <>
      <p>
        Verdict <strong className={`verdict verdict-${check.verdict}`}>{check.verdict ?? 'unknown'}</strong>,{' '}
        {findings.length} finding{findings.length === 1 ? '' : 's'}.
      </p>
      {findings.length > 0 && (
        <ul className="findings">
          {findings.map((f, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: findings have no unique key of their own
            <li key={i} className={`finding sev-${f.severity}`}>
              <p>
                <span className={`sev sev-${f.severity}`}>{f.severity}</span> <code>{f.id}</code>
                {f.status && <span className="muted"> ({f.status})</span>}
                {f.blocking && <strong> blocking</strong>}
              </p>
              {f.location && (
                <p className="muted">
                  {f.location.file}:{f.location.line}
                  {f.location.contract && ` in ${f.location.contract}`}
                  {f.location.function && `.${f.location.function}`}
                </p>
              )}
              <p>{f.message}</p>
              <Excerpt f={f} sources={sources} />
              {f.hint && <p className="hint">Fix: {f.hint}</p>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

export function StorageLayout({ check }: { check?: Report }) {
  const rows = storageLayout(check);
  if (!check) return null;
  if (rows.length === 0) return <p>The storage layout is unchanged.</p>;
  const v = (x?: { label: string; type: string; contract?: string }) =>
    x ? `${x.contract ? `${x.contract}.` : ''}${x.label}: ${x.type}` : '—';
  return (
    <div className="scroll">
      <table>
        <caption className="sr-only">Storage layout changes</caption>
        <thead>
          <tr>
            <th scope="col">Slot</th>
            <th scope="col">Change</th>
            <th scope="col">Before</th>
            <th scope="col">After</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={`${r.slot}:${r.offset ?? 0}:${r.change}`}>
              <td>
                {r.slot}
                {r.offset ? `+${r.offset}` : ''}
              </td>
              <td>{r.change}</td>
              <td>{v(r.reference)}</td>
              <td>{v(r.candidate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Proofs({ check }: { check?: Report }) {
  const rows = proofs(check);
  if (rows.length === 0) return null;
  return (
    <ul>
      {rows.map((p) => (
        <li key={`${p.target}:${p.contract}`}>
          <code>{p.target}</code> on {p.contract}: <strong>{p.status}</strong>
          {p.counterexample && <span className="muted"> — {p.counterexample}</span>}
        </li>
      ))}
    </ul>
  );
}

export function Simulation({ sim }: { sim?: Report }) {
  if (!sim) return <p className="muted">No simulation report in the evidence.</p>;
  const path = governancePath(sim);
  const replayed = replay(sim);
  return (
    <>
      <p>
        Verdict <strong className={`verdict verdict-${sim.verdict}`}>{sim.verdict ?? 'unknown'}</strong>.
      </p>
      {path && (
        <>
          <h3>Governance path {path.ok ? '(went through)' : '(failed)'}</h3>
          <ol>
            {path.steps.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: steps repeat names
              <li key={i}>
                {s.name}
                {s.txHash && (
                  <>
                    {' '}
                    <HexText value={s.txHash} />
                  </>
                )}
                {s.seconds && ` +${s.seconds} s`}
              </li>
            ))}
          </ol>
        </>
      )}
      {pocs(sim).length > 0 && (
        <>
          <h3>Exploit proof of concept</h3>
          <ul>
            {pocs(sim).map((p) => (
              <li key={p.name}>
                <code>{p.name}</code>: before the patch <strong>{p.before}</strong>
                {p.profitBefore && ` (profit ${p.profitBefore})`}, after it <strong>{p.after}</strong>
                {p.reasonAfter && ` (${p.reasonAfter})`}
              </li>
            ))}
          </ul>
        </>
      )}
      {invariants(sim).length > 0 && (
        <>
          <h3>Invariants</h3>
          <ul>
            {invariants(sim).map((v) => (
              <li key={v.name}>
                <code>{v.name}</code>: before {v.before}, after <strong>{v.after}</strong>
                {v.statement && <span className="muted"> — {v.statement}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
      {storageDiff(sim).length > 0 && (
        <>
          <h3>Storage changed by the upgrade</h3>
          <ul>
            {storageDiff(sim).map((s) => (
              <li key={s.slot}>
                {s.variable ?? <HexText value={s.slot} />}: <HexText value={s.before} /> →{' '}
                <HexText value={s.after} /> {s.expected ? '(expected)' : <strong>(unexpected)</strong>}
              </li>
            ))}
          </ul>
        </>
      )}
      {replayed && (
        <p>
          <strong>Replay</strong>: {replayed.transactions} transactions replayed old vs new,{' '}
          {replayed.differences.length} difference{replayed.differences.length === 1 ? '' : 's'}.
        </p>
      )}
      {gas(sim).length > 0 && (
        <>
          <h3>Gas</h3>
          <div className="scroll">
            <table>
              <caption className="sr-only">Gas before and after the patch</caption>
              <thead>
                <tr>
                  <th scope="col">Call</th>
                  <th scope="col">Before</th>
                  <th scope="col">After</th>
                  <th scope="col">Δ</th>
                </tr>
              </thead>
              <tbody>
                {gas(sim).map((g) => (
                  <tr key={g.label}>
                    <td>{g.label}</td>
                    <td>{g.before}</td>
                    <td>{g.after}</td>
                    <td>{g.delta}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

export function EvidenceSections({
  evidence,
  sources,
}: {
  evidence: Record<string, Report>;
  /** The patch's two source files (from its verified diff): findings show the lines they point at. */
  sources?: Record<string, string>;
}) {
  return (
    <>
      <Section title="Check findings" id="findings">
        <Findings check={evidence.check} sources={sources} />
        <Proofs check={evidence.check} />
      </Section>
      <Section title="Storage layout diff" id="layout">
        <StorageLayout check={evidence.check} />
      </Section>
      <Section title="Simulation evidence" id="simulation">
        <Simulation sim={evidence.simulate} />
      </Section>
    </>
  );
}
