import type { AccessRequest } from '../../api/api-types.ts';
import { Countdown } from '../../components/countdown.tsx';

/** A request's state in words: pending with approvals so far, or how it was decided and by whom. */
export function RequestStatusText({ request: r }: { request: AccessRequest }) {
  switch (r.status) {
    case 'pending':
      return (
        <span>
          pending ({r.approvals.length}/{r.minApprovals ?? '?'} approvals), <Countdown to={r.expiresAt} prefix="lapses in" ended="lapsing" />
        </span>
      );
    case 'approved':
      return <span>approved by {r.approvals.map((a) => a.approver).join(', ') || r.decidedBy}</span>;
    case 'denied':
      return (
        <span>
          denied by {r.decidedBy ?? '?'}
          {r.decisionReason === null ? '' : `: ${r.decisionReason}`}
        </span>
      );
    case 'cancelled':
      return <span>withdrawn</span>;
    case 'expired':
      return <span>lapsed without a decision</span>;
  }
}
