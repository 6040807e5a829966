import { releaseHeldJobs } from '../jobs/release-held-jobs.ts';
import type { Queryable } from './database.ts';

export interface CrmConnectorStatus {
  connector: string;
  status: 'active' | 'paused';
  /** Why, in words a person can act on (e.g. "the API key was refused: ..."). */
  pausedReason: string | null;
  pausedSince: number | null;
  lastCheckAt: number | null;
}

const COLUMNS = `connector, status, paused_reason,
  (extract(epoch from paused_since) * 1000)::float8 as paused_since, (extract(epoch from last_check_at) * 1000)::float8 as last_check_at`;

interface RawStatus {
  connector: string;
  status: 'active' | 'paused';
  paused_reason: string | null;
  paused_since: number | null;
  last_check_at: number | null;
}

function toStatus(row: RawStatus): CrmConnectorStatus {
  return {
    connector: row.connector,
    status: row.status,
    pausedReason: row.paused_reason,
    pausedSince: row.paused_since,
    lastCheckAt: row.last_check_at,
  };
}

/**
 * Records each configured connector with a fingerprint of its config entry. A paused connector
 * whose credentials changed since it was paused is resumed: the person fixed the key. Returns the
 * names resumed that way.
 */
export async function registerCrmConnectors(
  db: Queryable,
  connectors: readonly { name: string; fingerprint: string }[],
  now: number,
): Promise<string[]> {
  const resumed: string[] = [];
  for (const { name, fingerprint } of connectors) {
    const existing = await db.query<{ status: string; credentials_fingerprint: string }>(
      `select status, credentials_fingerprint from crm_connectors where connector = $1`,
      [name],
    );
    const row = existing.rows[0];
    if (!row) {
      await db.query(
        `insert into crm_connectors (connector, status, credentials_fingerprint, updated_at) values ($1, 'active', $2, to_timestamp($3 / 1000.0))
         on conflict (connector) do nothing`,
        [name, fingerprint, now],
      );
      continue;
    }
    if (row.credentials_fingerprint === fingerprint) continue;
    await db.query(
      `update crm_connectors set status = 'active', paused_reason = null, paused_since = null, credentials_fingerprint = $2,
         updated_at = to_timestamp($3 / 1000.0) where connector = $1`,
      [name, fingerprint, now],
    );
    if (row.status === 'paused') resumed.push(name);
  }
  return resumed;
}

export async function loadCrmConnectorStatus(db: Queryable, connector: string): Promise<CrmConnectorStatus | null> {
  const result = await db.query<RawStatus>(`select ${COLUMNS} from crm_connectors where connector = $1`, [connector]);
  return result.rows[0] ? toStatus(result.rows[0]) : null;
}

export async function listPausedCrmConnectors(db: Queryable): Promise<CrmConnectorStatus[]> {
  const result = await db.query<RawStatus>(
    `select ${COLUMNS} from crm_connectors where status = 'paused' order by connector`,
  );
  return result.rows.map(toStatus);
}

/** Pauses the connector (keeping the first reason and time if it is paused already). */
export async function pauseCrmConnector(db: Queryable, connector: string, reason: string, now: number): Promise<void> {
  await db.query(
    `update crm_connectors set status = 'paused', paused_reason = $2, paused_since = coalesce(paused_since, to_timestamp($3 / 1000.0)),
       last_check_at = to_timestamp($3 / 1000.0), updated_at = to_timestamp($3 / 1000.0)
     where connector = $1`,
    [connector, reason, now],
  );
}

/**
 * Claims the right to re-check a paused connector's credentials: true for exactly one caller per
 * interval, however many held jobs wake up at once.
 */
export async function claimCrmConnectorCheck(
  db: Queryable,
  connector: string,
  now: number,
  intervalMs: number,
): Promise<boolean> {
  const result = await db.query(
    `update crm_connectors set last_check_at = to_timestamp($2 / 1000.0)
      where connector = $1 and status = 'paused' and (last_check_at is null or last_check_at <= to_timestamp(($2::float8 - $3::float8) / 1000.0))`,
    [connector, now, intervalMs],
  );
  return result.rowCount === 1;
}

/** Resumes the connector and makes the jobs it held due now instead of at their next check. */
export async function resumeCrmConnector(
  db: Queryable,
  connector: string,
  heldJobKind: string,
  now: number,
): Promise<void> {
  await db.query(
    `update crm_connectors set status = 'active', paused_reason = null, paused_since = null, updated_at = to_timestamp($2 / 1000.0) where connector = $1`,
    [connector, now],
  );
  await releaseHeldJobs(db, heldJobKind, now);
}
