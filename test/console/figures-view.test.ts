import { describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { recoveryFigure } from '../../src/http/console/views/dunning-view.ts';
import { chartSummary } from '../../src/http/console/views/overview-view.ts';

const SERIES = [
  { key: 'purchases', label: 'Purchases' },
  { key: 'refunds', label: 'Refunds' },
  { key: 'recovered', label: 'Recovered payments' },
] as const;

const closedCase = (state: DunningCaseView['state']): DunningCaseView => ({ state }) as DunningCaseView;

describe('figures that read well when there is nothing yet', () => {
  it('gives the recovery rate once a case is decided, and words instead of "of the last 0" before', () => {
    expect(recoveryFigure(0, [])).toEqual({ value: '–', label: 'no failed payments yet' });
    expect(recoveryFigure(2, [closedCase('cancelled')])).toEqual({
      value: '–',
      label: 'recovered: no case decided yet',
    });
    expect(recoveryFigure(0, [closedCase('recovered'), closedCase('lost'), closedCase('cancelled')])).toEqual({
      value: '50%',
      label: 'recovered (1 of the last 2 decided cases)',
    });
  });

  it('says in words that the chart is empty rather than drawing thirty empty days', () => {
    const quiet = [{ day: '2026-12-01', purchases: 0, refunds: 0, recovered: 0 }];
    expect(chartSummary(quiet, SERIES)).toMatchObject({
      empty: true,
      emptyText:
        'No purchases, refunds or recovered payments in the last 1 days yet: the chart fills in as ThriveCart sends them.',
    });
    const busy = [...quiet, { day: '2026-12-02', purchases: 3, refunds: 1, recovered: 0 }];
    expect(chartSummary(busy, SERIES)).toMatchObject({
      empty: false,
      text: 'Purchases: 3, Refunds: 1, Recovered payments: 0',
    });
  });
});
