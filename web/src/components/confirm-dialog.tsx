import { useEffect, useId, useRef, type KeyboardEvent, type ReactNode } from 'react';
import type { ApiError } from '../api/api-error.ts';
import { ErrorPanel } from './error-panel.tsx';

export interface ConfirmDialogProps {
  readonly title: string;
  readonly children?: ReactNode;
  readonly confirmLabel: string;
  /** E.g. until the viewer typed the email to confirm. */
  readonly confirmDisabled?: boolean;
  readonly busy?: boolean;
  readonly error?: ApiError | null;
  readonly danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}

/**
 * A modal confirmation. Focus moves into it on open, Tab stays inside,
 * Escape cancels, and focus returns to where it was on close.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const previous = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    const first = ref.current?.querySelector<HTMLElement>('input, textarea, select, button');
    first?.focus();
    return () => previous?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      props.onCancel();
      return;
    }
    if (event.key !== 'Tab' || ref.current === null) return;
    const focusable = [...ref.current.querySelectorAll<HTMLElement>('input, textarea, select, button:not([disabled]), a[href]')];
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (first === undefined || last === undefined) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  };

  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} ref={ref} onKeyDown={onKeyDown}>
        <h2 id={titleId}>{props.title}</h2>
        <div className="dialog-body">{props.children}</div>
        {props.error === null || props.error === undefined ? null : <ErrorPanel error={props.error} title="That did not work" />}
        <div className="dialog-actions">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" className={props.danger === true ? 'danger' : 'primary'} disabled={props.confirmDisabled === true || props.busy === true} onClick={props.onConfirm}>
            {props.busy === true ? 'Working…' : props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}
