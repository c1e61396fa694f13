import { useState } from 'react';
import { asApiError, type ApiError } from '../../api/api-error.ts';
import type { VerifyReport } from '../../api/api-types.ts';
import { exportAudit, verifyAudit } from '../../api/endpoints.ts';
import { useAuth } from '../../auth/auth-context.tsx';
import { ErrorPanel } from '../../components/error-panel.tsx';

function download(text: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/x-ndjson' }));
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = filename;
  anchor.click();
  // Give the browser a moment to start the download before releasing the blob.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Verify the chain on demand (it reads the whole log) and export it for a SIEM. */
export function AuditTools({ since, until }: { since: string | undefined; until: string | undefined }) {
  const { http } = useAuth();
  const [report, setReport] = useState<VerifyReport | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [exporting, setExporting] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  const verify = () => {
    setVerifying(true);
    setError(null);
    verifyAudit(http).then(
      (result) => {
        setVerifying(false);
        setReport(result);
      },
      (failure: unknown) => {
        setVerifying(false);
        setError(asApiError(failure));
      },
    );
  };
  const runExport = () => {
    setExporting(true);
    setError(null);
    exportAudit(http, { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) }).then(
      (text) => {
        setExporting(false);
        download(text, `stint-audit-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.jsonl`);
      },
      (failure: unknown) => {
        setExporting(false);
        setError(asApiError(failure));
      },
    );
  };

  return (
    <section className="panel" aria-label="Chain and export">
      <h2>Chain and export</h2>
      <div className="actions">
        <button type="button" onClick={verify} disabled={verifying}>
          {verifying ? 'Verifying…' : 'Verify chain'}
        </button>
        <button type="button" onClick={runExport} disabled={exporting}>
          {exporting ? 'Exporting…' : 'Export JSON'}
        </button>
      </div>
      <p className="hint">The export holds every event in the time range (JSON Lines, oldest first); other filters do not apply.</p>
      {report === null ? null : (
        <div role="status" className={report.ok ? 'verify verify-ok' : 'verify verify-bad'}>
          {report.ok
            ? `Chain intact: ${report.events} events up to #${report.lastSeq}, ${report.checkpoints} signed checkpoint(s) (${report.keys === 'trusted' ? 'trusted keys' : 'stored keys'}).`
            : `Chain broken from event #${report.firstBadSeq ?? '?'}: ${report.problems.length + report.omittedProblems} problem(s).`}
          {report.ok ? null : (
            <ul>
              {report.problems.slice(0, 20).map((p) => (
                <li key={`${p.seq}:${p.kind}`}>
                  #{p.seq} {p.kind}: {p.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      {error === null ? null : <ErrorPanel error={error} title="That did not work" />}
    </section>
  );
}
