import { nextIdSql, type Pool } from './database.ts';

const BLOCK_SIZE = 100;

/**
 * Delivery ids taken from the deliveries sequence a block at a time, so the intake knows a new
 * buyer's delivery id before it writes anything: the ledger it folds cites that id, and the
 * delivery, the contact and the ledger then go to PostgreSQL in one statement. Ids of a block a
 * process never uses (it stopped, or the delivery took the ordinary path) are gaps, as after any
 * rolled-back insert.
 */
export class DeliveryIds {
  private readonly free: number[] = [];
  private refilling: Promise<void> | null = null;

  constructor(private readonly pool: Pool) {}

  async next(): Promise<number> {
    while (this.free.length === 0) {
      this.refilling ??= this.refill().finally(() => (this.refilling = null));
      await this.refilling;
    }
    return this.free.shift()!;
  }

  private async refill(): Promise<void> {
    const result = await this.pool.query<{ id: number }>({
      name: 'reserve-delivery-ids',
      text: `select ${nextIdSql('deliveries')} as id from generate_series(1, $1)`,
      values: [BLOCK_SIZE],
    });
    this.free.push(...result.rows.map((row) => row.id));
  }
}
