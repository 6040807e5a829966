import { fieldAt, type Fields } from './parse-body.ts';

/**
 * The field `handoff simulate` adds to the deliveries it makes. ThriveCart never sends it; the
 * intake stores bodies as received, so a simulated delivery stays recognisable (the console does
 * not count it as ThriveCart's first real delivery).
 *
 * Its value says how far the delivery may reach: `1` (the default) keeps it inside Handoff (the
 * ledger and the console show what it would do; no CRM, e-mail or outbound webhook hears of it);
 * `live` (`simulate --live`) lets it reach them like a real delivery.
 */
export const SIMULATED_FIELD = 'handoff_simulated';
export const SIMULATED_INSIDE_HANDOFF = '1';
export const SIMULATED_LIVE = 'live';

/** Whether a delivery was made by `handoff simulate` without --live: its effects stay inside Handoff. */
export function staysInsideHandoff(fields: Fields): boolean {
  const mark = fieldAt(fields, [SIMULATED_FIELD]);
  return mark !== undefined && mark !== SIMULATED_LIVE;
}
