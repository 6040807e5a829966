import type { Logger } from 'pino';
import type { HandoffConfig } from '../config/schema.ts';
import type { LedgerRules } from '../core/ledger/rules.ts';
import type { Clock } from '../ports/clock.ts';
import type { Pool } from '../adapters/store/database.ts';
import type { DeliveryIds } from '../adapters/store/delivery-ids.ts';
import type { StoredAccessLoader } from './contacts/stored-access-loader.ts';
import type { TeamLinks } from './teams/team-links.ts';
import type { Webhooks } from './webhooks/webhooks.ts';

/** What every use-case needs; built once, in the composition root. */
export interface AppContext {
  pool: Pool;
  clock: Clock;
  config: HandoffConfig;
  rules: LedgerRules;
  log: Logger;
  /**
   * Job kinds to enqueue (keyed by contact id) whenever a contact's tags or access change: CRM
   * sync, site notifications. Empty when nothing downstream is configured.
   */
  onContactChanged: readonly string[];
  /**
   * Job kinds to enqueue (keyed by pool id) when a purchase opens a team pool, in the same
   * transaction: e.g. the e-mail giving the leader their link (docs/teams.md). Absent means none.
   */
  onTeamOpened?: readonly string[];
  /** Outbound signed webhooks: whether any endpoint may exist, and how hosts are resolved. */
  webhooks: Webhooks;
  /** The access API's lookups, batched per turn of the event loop (never cached). */
  storedAccess: StoredAccessLoader;
  /**
   * True while applying a delivery `handoff simulate` made without --live: the ledger, dunning
   * cases and console show its effects, but it starts no CRM or site sync (`onContactChanged` is
   * empty then), no dunning e-mail and no outbound webhook (app/intake/simulated-delivery.ts).
   */
  insideHandoffOnly?: boolean;
  /** Delivery ids reserved ahead, for a new buyer's one-statement intake (app/intake/receive-new-buyer.ts). */
  deliveryIds: DeliveryIds;
  /** Signed links to team pages (the leader's and members'), with the public URL they start with. */
  teamLinks: TeamLinks;
}
