import { html, type SafeHtml } from './html.ts';

/** A column of a console table: its heading, and the classes of its heading and cells. */
export interface Column {
  label: string;
  /** Classes of the column's cells and heading: `num`, `small`, `hide-phone`… */
  className?: string;
}

type Cell = SafeHtml | string | number | null | undefined | readonly SafeHtml[];

/** The heading row. */
export function headRow(columns: readonly Column[]): SafeHtml {
  return html`<tr>${columns.map((column) => html`<th class="${column.className ?? ''}">${column.label}</th>`)}</tr>`;
}

/**
 * A row whose cells carry their column's heading (`data-label`): on a phone the rows become cards
 * and the heading row is hidden, so each value shows its heading above it (layout.ts) and keeps
 * its meaning. `id` anchors the row (links to one dunning case).
 */
export function bodyRow(columns: readonly Column[], cells: readonly Cell[], id?: string): SafeHtml {
  const tds = columns.map((column, index) => {
    const label = column.label === '' ? null : column.label;
    return html`<td class="${column.className ?? ''}" data-label="${label}">${cells[index]}</td>`;
  });
  return html`<tr${id === undefined ? '' : html` id="${id}"`}>${tds}</tr>`;
}
