/** The patchgate page: hash routes (#/, #/patch/0x…, #/review/0x…, #/log?index=N) over the same-origin API. */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiError, api, type Hex, type Session } from './api';
import { ErrorBox, HexText } from './ui';
import { Log } from './views/Log';
import { Patch } from './views/Patch';
import { Patches } from './views/Patches';
import { Review } from './views/Review';
import { connect, signIn } from './wallet';
import './style.css';

type Route =
  | { view: 'patches' }
  | { view: 'patch'; digest: Hex }
  | { view: 'review'; digest: Hex }
  | { view: 'log'; index?: number }
  | { view: 'unknown' };

function route(hash: string): Route {
  const h = hash.replace(/^#/, '') || '/';
  const [path, query = ''] = h.split('?');
  if (path === '/' || path === '') return { view: 'patches' };
  const patch = /^\/patch\/(0x[0-9a-fA-F]{64})$/.exec(path ?? '');
  if (patch) return { view: 'patch', digest: patch[1] as Hex };
  const review = /^\/review\/(0x[0-9a-fA-F]{64})$/.exec(path ?? '');
  if (review) return { view: 'review', digest: review[1] as Hex };
  if (path === '/log') {
    const index = new URLSearchParams(query).get('index');
    return { view: 'log', ...(index !== null && /^\d+$/.test(index) ? { index: Number(index) } : {}) };
  }
  return { view: 'unknown' };
}

function useRoute(): Route {
  const [r, setR] = useState(() => route(window.location.hash));
  useEffect(() => {
    const on = () => {
      setR(route(window.location.hash));
      // A new view: focus the content, so keyboard and screen-reader users start there.
      requestAnimationFrame(() => document.getElementById('main')?.focus());
    };
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return r;
}

function App() {
  const r = useRoute();
  const [session, setSession] = useState<Session>();
  const [authError, setAuthError] = useState<unknown>();
  const [signingIn, setSigningIn] = useState(false);
  useEffect(() => {
    api<Session>('/api/auth/me').then(setSession, (e: unknown) => {
      if (!(e instanceof ApiError && e.status === 401)) setAuthError(e);
    });
  }, []);
  const signOut = async () => {
    try {
      await api('/api/auth/logout', { method: 'POST' });
      setSession(undefined);
    } catch (e) {
      setAuthError(e);
    }
  };
  // Sign-In with Ethereum from the injected wallet: the team's way in (approve, jobs, queue, execute).
  const connectAndSignIn = async () => {
    setAuthError(undefined);
    setSigningIn(true);
    try {
      setSession(await signIn(await connect()));
    } catch (e) {
      setAuthError(e);
    } finally {
      setSigningIn(false);
    }
  };
  return (
    <>
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header>
        <nav aria-label="Main">
          <a href="#/" className="brand">
            patchgate
          </a>
          <a href="#/" aria-current={r.view === 'patches' ? 'page' : undefined}>
            Patches
          </a>
          <a href="#/log" aria-current={r.view === 'log' ? 'page' : undefined}>
            Log
          </a>
        </nav>
        <div className="who" aria-live="polite">
          {session ? (
            <>
              <span data-testid="signed-in">
                Signed in as <HexText value={session.address} keep={42} />
              </span>{' '}
              <button type="button" onClick={signOut}>
                Sign out
              </button>
            </>
          ) : (
            <>
              <span className="muted">{signingIn ? 'Waiting for the wallet…' : 'Not signed in'}</span>{' '}
              <button type="button" onClick={connectAndSignIn} disabled={signingIn}>
                Connect wallet
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {authError !== undefined && <ErrorBox error={authError} />}
        {r.view === 'patches' && <Patches />}
        {r.view === 'patch' && <Patch digest={r.digest} session={session} />}
        {r.view === 'review' && <Review digest={r.digest} />}
        {r.view === 'log' && <Log key={r.index ?? -1} selected={r.index} />}
        {r.view === 'unknown' && (
          <>
            <h1>Not found</h1>
            <p>
              No such view. <a href="#/">The patches</a>.
            </p>
          </>
        )}
      </main>
    </>
  );
}

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
