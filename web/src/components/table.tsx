import type { ReactNode } from 'react';

export interface Column<T> {
  readonly header: string;
  readonly cell: (row: T) => ReactNode;
  /** Hidden on narrow screens; the first columns stay. */
  readonly secondary?: boolean;
}

/**
 * A captioned data table that scrolls sideways inside its own box on a
 * narrow screen instead of widening the page.
 */
export function Table<T>({ caption, columns, rows, rowKey }: { caption: string; columns: readonly Column<T>[]; rows: readonly T[]; rowKey: (row: T, index: number) => string }) {
  return (
    // The scroll box is focusable so a keyboard can scroll it; its name differs from the panel around it, which
    // usually carries the caption's words, so the two landmarks stay distinguishable.
    <div className="table-wrap" tabIndex={0} role="region" aria-label={`Table: ${caption}`}>
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.secondary === true ? 'secondary' : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => (
            <tr key={rowKey(row, index)}>
              {columns.map((column) => (
                <td key={column.header} className={column.secondary === true ? 'secondary' : undefined}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
