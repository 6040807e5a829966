import type { DunningCaseView } from '../../../app/dunning/list-dunning-cases.ts';
import type { Tone } from './tone.ts';

/** The recovery-rate card: a percentage once some case is decided, else words that say why there is none. */
export function recoveryFigure(open: number, closed: readonly DunningCaseView[]): { value: string; label: string } {
  const decided = closed.filter((dunningCase) => dunningCase.state !== 'cancelled');
  const recovered = decided.filter(
    (dunningCase) => dunningCase.state === 'recovered' || dunningCase.state === 'recovered-after-loss',
  ).length;
  if (decided.length > 0) {
    const rate = Math.round((recovered / decided.length) * 100);
    return { value: `${rate}%`, label: `recovered (${recovered} of the last ${decided.length} decided cases)` };
  }
  if (open === 0 && closed.length === 0) return { value: '–', label: 'no failed payments yet' };
  return { value: '–', label: 'recovered: no case decided yet' };
}

const OUTCOMES: Record<string, { label: string; tone: Tone }> = {
  recovered: { label: 'recovered', tone: 'ok' },
  'recovered-after-loss': { label: 'recovered after access ended', tone: 'ok' },
  lost: { label: 'lost', tone: 'bad' },
  cancelled: { label: 'cancelled', tone: 'plain' },
};

/** How a closed case ended, as a badge. */
export function caseOutcome(state: DunningCaseView['state']): { label: string; tone: Tone } {
  return OUTCOMES[state] ?? { label: state, tone: 'warn' };
}
