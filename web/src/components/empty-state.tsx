import type { ReactNode } from 'react';

/** What an empty list means, and what to do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state" role="status">
      <p className="empty-title">{title}</p>
      {children === undefined ? null : <div className="empty-hint">{children}</div>}
    </div>
  );
}
