/** Small pieces every view uses: loading a value, showing an API or wallet error with its hint, hex and times. */
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';
import { WalletError } from './wallet';

export type Loaded<T> = { value?: T; error?: unknown; loading: boolean; reload: () => void };

/** `load()` run on mount and whenever `deps` change; `reload` runs it again. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [state, setState] = useState<{ value?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the caller's deps decide when to load again
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (value) => live && setState({ value, loading: false }),
      (error: unknown) => live && setState({ error, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/** An error as the user should read it: the message, and the hint when there is one. */
/** What an action is doing now (announced politely to screen readers), then its error if it failed. */
export function Working({ busy, error }: { busy?: string | false; error?: unknown }) {
  return (
    <>
      {busy && (
        <p className="busy" aria-live="polite">
          {busy}
        </p>
      )}
      {error !== undefined && <ErrorBox error={error} />}
    </>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  const e =
    error instanceof ApiError || error instanceof WalletError
      ? error
      : { message: String((error as Error)?.message ?? error), hint: undefined };
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div className="error" role="alert">
      <p>
        <strong>{e.message}</strong>
        {code && <span className="code"> ({code})</span>}
      </p>
      {e.hint && <p className="hint">{e.hint}</p>}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** A hex value shortened for the eye, whole in the title and for copying. */
export function HexText({ value, keep = 10 }: { value: string; keep?: number }) {
  const short = value.length > keep * 2 + 1 ? `${value.slice(0, keep)}…${value.slice(-6)}` : value;
  return (
    <code className="hex" title={value}>
      {short}
    </code>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const hid = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-h`;
  return (
    <section aria-labelledby={hid} className="card">
      <h2 id={hid}>{title}</h2>
      {children}
    </section>
  );
}

/** "2 d 03 h 04 min 05 s" for a number of seconds. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d ? `${d} d ` : ''}${d || h ? `${pad(h)} h ` : ''}${pad(m)} min ${pad(s % 60)} s`;
}

export const when = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
