import type { DunningCaseState } from '../dunning/dunning-case.ts';

/**
 * Which event a dunning case's change of state is, if any: `before` is the stored state (null for
 * a case seen for the first time). A case first seen already closed (out-of-order deliveries) was
 * never announced open, so its closing is not announced either; a lost case that is paid later
 * closes again with the new outcome.
 */
export function dunningTransition(
  before: DunningCaseState | null,
  after: DunningCaseState,
): 'dunning.opened' | 'dunning.closed' | null {
  if (before === after) return null;
  if (after === 'open') return 'dunning.opened';
  return before === null ? null : 'dunning.closed';
}
