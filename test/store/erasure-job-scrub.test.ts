import { describe, expect, it } from 'vitest';
import { useMigratedDatabase } from '../support/database.ts';

/** Migration 014's trigger, guarded since migration 025 by a WHEN clause: only a dead CRM erasure job loses the e-mail. */
describe('a CRM erasure job given up on', () => {
  const database = useMigratedDatabase();

  const insertJob = async (kind: string, state: string, lastError: string | null): Promise<number> =>
    (
      await database.pool.query<{ id: number }>(
        `insert into jobs (kind, key, payload, run_at, state, last_error) values ($1, '7', $2, now(), $3, $4) returning id`,
        [kind, JSON.stringify({ email: 'ada.l+x@example.com', crmContactId: '91' }), state, lastError],
      )
    ).rows[0]!.id;
  const jobRow = async (id: number) =>
    (
      await database.pool.query<{ payload: object; last_error: string | null }>(
        `select payload, last_error from jobs where id = $1`,
        [id],
      )
    ).rows[0]!;

  it('loses the e-mail from its payload and its last error when it turns dead, keeping the CRM id', async () => {
    const id = await insertJob('crm.erase:kit', 'pending', null);
    expect((await jobRow(id)).payload).toEqual({ email: 'ada.l+x@example.com', crmContactId: '91' });
    await database.pool.query(`update jobs set state = 'dead', last_error = $2 where id = $1`, [
      id,
      'Kit: 422 ADA.L+X@example.com is invalid',
    ]);
    expect(await jobRow(id)).toEqual({
      payload: { crmContactId: '91' },
      last_error: 'Kit: 422 [erased e-mail] is invalid',
    });
  });

  it('is scrubbed when inserted dead as well', async () => {
    const id = await insertJob('crm.erase:kit', 'dead', 'gave up on ada.l+x@example.com');
    expect(await jobRow(id)).toEqual({ payload: { crmContactId: '91' }, last_error: 'gave up on [erased e-mail]' });
  });

  it('loses the e-mail a bulk import carried the person under as well (migration 036)', async () => {
    const id = (
      await database.pool.query<{ id: number }>(
        `insert into jobs (kind, key, payload, run_at, state) values ('crm.erase:activecampaign', 'erase:7', $1, now(), 'pending') returning id`,
        [JSON.stringify({ email: 'new@example.com', remoteId: null, importedEmail: 'old.one@example.com' })],
      )
    ).rows[0]!.id;
    await database.pool.query(`update jobs set state = 'dead', last_error = $2 where id = $1`, [
      id,
      'no record for OLD.ONE@example.com or new@example.com',
    ]);
    expect(await jobRow(id)).toEqual({
      payload: { remoteId: null },
      last_error: 'no record for [erased e-mail] or [erased e-mail]',
    });
  });

  it('leaves other jobs, and erasure jobs still to run, as they are', async () => {
    const sync = await insertJob('crm.sync:kit', 'dead', 'ada.l+x@example.com refused');
    const waiting = await insertJob('crm.erase:keap', 'pending', 'ada.l+x@example.com timed out');
    expect(await jobRow(sync)).toEqual({
      payload: { email: 'ada.l+x@example.com', crmContactId: '91' },
      last_error: 'ada.l+x@example.com refused',
    });
    expect(await jobRow(waiting)).toEqual({
      payload: { email: 'ada.l+x@example.com', crmContactId: '91' },
      last_error: 'ada.l+x@example.com timed out',
    });
  });
});
