import type { Fields } from '../../adapters/sources/thrivecart/parse-body.ts';
import { staysInsideHandoff } from '../../adapters/sources/thrivecart/simulated.ts';
import type { AppContext } from '../context.ts';

/**
 * The context a delivery is applied in. A delivery `handoff simulate` made without --live is
 * applied like any other, so the ledger and the console show what it would do, but in a context
 * that starts nothing outside Handoff: no CRM or AccessAlly sync, no dunning e-mail, no outbound
 * webhook (AppContext.insideHandoffOnly). A creator trying Handoff out on a configuration
 * connected to real systems never reaches them by surprise.
 */
export function contextForDelivery(ctx: AppContext, fields: Fields): AppContext {
  return staysInsideHandoff(fields) ? { ...ctx, onContactChanged: [], insideHandoffOnly: true } : ctx;
}
