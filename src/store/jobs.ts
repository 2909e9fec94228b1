/**
 * What jobs leave in the store: their progress events (what the page streams) and their evidence — the report a
 * job produced, stored once per job however often the job ran (a worker killed after storing it, the job retried
 * elsewhere: the second insert finds the first and keeps it).
 */
import type { Db } from './db.js';

export interface JobEvent {
  seq: number;
  at: string;
  kind: 'started' | 'stage' | 'stored' | 'reused' | 'failed' | 'refused';
  message: string;
}

export interface JobEvidence {
  jobId: string;
  kind: string;
  verdict: string;
  reportDigest: string;
  report: unknown;
  worker: string;
  createdAt: string;
}

export async function addJobEvent(
  db: Pick<Db, 'query'>,
  jobId: string,
  kind: JobEvent['kind'],
  message: string,
): Promise<void> {
  await db.query('insert into job_events (job_id, kind, message) values ($1, $2, $3)', [
    jobId,
    kind,
    message,
  ]);
}

/** Events after `afterSeq`, oldest first. */
export async function jobEvents(db: Pick<Db, 'query'>, jobId: string, afterSeq = 0): Promise<JobEvent[]> {
  const rows = await db.query<{
    seq: string | number;
    at: Date | string;
    kind: JobEvent['kind'];
    message: string;
  }>('select seq, at, kind, message from job_events where job_id = $1 and seq > $2 order by seq', [
    jobId,
    afterSeq,
  ]);
  return rows.map((r) => ({
    seq: Number(r.seq),
    at: new Date(r.at).toISOString(),
    kind: r.kind,
    message: r.message,
  }));
}

/** Stores a job's evidence unless it is stored already; true when this call stored it. */
export async function storeJobEvidence(
  db: Pick<Db, 'query'>,
  e: Omit<JobEvidence, 'createdAt'>,
): Promise<boolean> {
  const rows = await db.query(
    `insert into job_evidence (job_id, kind, verdict, report_digest, report, worker)
     values ($1, $2, $3, $4, $5, $6) on conflict (job_id) do nothing returning job_id`,
    [e.jobId, e.kind, e.verdict, e.reportDigest, JSON.stringify(e.report), e.worker],
  );
  return rows.length === 1;
}

export async function jobEvidence(db: Pick<Db, 'query'>, jobId: string): Promise<JobEvidence | undefined> {
  const [r] = await db.query<{
    job_id: string;
    kind: string;
    verdict: string;
    report_digest: string;
    report: unknown;
    worker: string;
    created_at: Date | string;
  }>('select * from job_evidence where job_id = $1', [jobId]);
  if (!r) return undefined;
  return {
    jobId: r.job_id,
    kind: r.kind,
    verdict: r.verdict,
    reportDigest: r.report_digest,
    report: typeof r.report === 'string' ? JSON.parse(r.report) : r.report,
    worker: r.worker,
    createdAt: new Date(r.created_at).toISOString(),
  };
}
