import type { DunningPolicy, HandoffConfig, ItemConfig, OfferingConfig } from '../../config/schema.ts';
import type { ItemKey } from '../events.ts';
import { DAY_MS } from '../time.ts';

/** The part of the configuration the ledger decides with, indexed for lookups. */
export interface LedgerRules {
  offerings: ReadonlyMap<string, OfferingConfig>;
  items: ReadonlyMap<ItemKey, ItemConfig>;
  /** Dunning policy per item; absent when failed payments only get recorded. */
  dunning: ReadonlyMap<ItemKey, DunningPolicy>;
  /** How long after a due payment ThriveCart's silence counts (thrivecart.silentAfterDays), in ms. */
  silentAfterMs: number;
}

const DEFAULT_SILENT_AFTER_DAYS = 7;

export function ledgerRules(
  config: Pick<HandoffConfig, 'offerings' | 'items' | 'dunning'> & { thrivecart?: { silentAfterDays?: number } },
): LedgerRules {
  const dunning = new Map<ItemKey, DunningPolicy>();
  for (const item of config.items) {
    const name = item.dunning ?? 'default';
    const policy = name === 'none' ? undefined : config.dunning[name];
    if (policy) dunning.set(item.item as ItemKey, policy);
  }
  return {
    offerings: new Map(config.offerings.map((offering) => [offering.id, offering])),
    items: new Map(config.items.map((item) => [item.item as ItemKey, item])),
    dunning,
    silentAfterMs: (config.thrivecart?.silentAfterDays ?? DEFAULT_SILENT_AFTER_DAYS) * DAY_MS,
  };
}

/** An offering's display name from the configuration; its id when it is no longer configured (old history, a replay). */
export function offeringName(rules: Pick<LedgerRules, 'offerings'>, id: string): string {
  return rules.offerings.get(id)?.name ?? id;
}
