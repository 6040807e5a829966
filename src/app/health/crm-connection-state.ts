import type { CrmHealth } from '../../adapters/store/crm-sync-status.ts';

export type CrmConnectionState = 'paused' | 'failing' | 'retrying' | 'working' | 'unused';

/** A CRM connection judged by what its jobs did, not by whether it was switched off. */
export interface CrmConnectionVerdict {
  connector: string;
  state: CrmConnectionState;
  tone: 'ok' | 'warn' | 'bad' | 'plain';
  /** The state in a word or two, for a badge. */
  label: string;
  /** What went wrong, in plain words (null when it works). */
  problem: string | null;
  /** What to do about it (null when nothing). */
  fix: string | null;
  health: CrmHealth;
}

/**
 * A connection is "working" only while none of its syncs gave up or is failing: a connection that
 * was never paused but whose syncs are dead-lettered is failing, whatever its switch says.
 */
export function judgeCrmConnection(health: CrmHealth): CrmConnectionVerdict {
  const base = { connector: health.connector, health };
  if (health.status === 'paused') {
    return {
      ...base,
      state: 'paused',
      tone: 'bad',
      label: 'paused',
      problem: health.pausedReason ?? 'the CRM refused the credentials',
      fix: 'Its changes are held, not lost. Fix the key in the configuration and restart (or run npx handoff doctor); Handoff also re-checks every 5 minutes.',
    };
  }
  if (health.dead > 0) {
    return {
      ...base,
      state: 'failing',
      tone: 'bad',
      label: 'failing',
      problem: `${health.dead === 1 ? '1 sync' : `${health.dead} syncs`} gave up${health.lastError ? `: ${health.lastError}` : ''}`,
      fix: 'Fix what the error says (often a tag, a field or an e-mail the CRM refuses), then press Retry on Problems (or npx handoff retry all).',
    };
  }
  if (health.retrying > 0) {
    return {
      ...base,
      state: 'retrying',
      tone: 'warn',
      label: 'retrying',
      problem: `${health.retrying === 1 ? '1 sync is' : `${health.retrying} syncs are`} being retried${health.lastError ? ` after: ${health.lastError}` : ''}`,
      fix: 'Nothing is lost; Handoff retries with backoff. If it lasts, npx handoff doctor says whether the CRM can be reached.',
    };
  }
  if (health.lastSyncedAt === null) {
    return {
      ...base,
      state: 'unused',
      tone: 'plain',
      label: health.pending > 0 ? 'starting' : 'no sync yet',
      problem: null,
      fix: null,
    };
  }
  return { ...base, state: 'working', tone: 'ok', label: 'working', problem: null, fix: null };
}
