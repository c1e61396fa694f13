import type { VerifyReport } from './audit-verify.ts';

/** The report as people read it in a terminal: verdict first, then each problem, then what was checked. */
export function formatVerifyReport(report: VerifyReport): string {
  const lines: string[] = [];
  const checkpoints = `${report.checkpoints} checkpoint${report.checkpoints === 1 ? '' : 's'}${
    report.lastCheckpointSeq === null ? '' : ` (last valid at seq ${report.lastCheckpointSeq})`
  }`;
  const events = `${report.events} event${report.events === 1 ? '' : 's'}${report.events > 0 ? ` (last seq ${report.lastSeq})` : ''}`;
  if (report.ok) {
    lines.push(`Audit log OK: ${events}, ${checkpoints}.`);
  } else {
    const count = report.problems.length + report.omittedProblems;
    lines.push(`Audit log FAILED verification: ${count} problem${count === 1 ? '' : 's'}, first bad seq ${report.firstBadSeq ?? '?'}.`);
    const width = Math.max(...report.problems.map((p) => String(p.seq).length));
    for (const problem of report.problems) {
      lines.push(`  seq ${String(problem.seq).padStart(width)}  ${problem.kind.padEnd(19)}  ${problem.message}`);
    }
    if (report.omittedProblems > 0) lines.push(`  … and ${report.omittedProblems} more.`);
    lines.push(`Checked ${events}, ${checkpoints}.`);
  }
  if (report.keys === 'stored') {
    lines.push('Signatures were checked with the key stored on each checkpoint; pass your own copy of audit-signing.pub as a trusted key to also catch a re-signed log.');
  } else {
    lines.push('Signatures were checked against the trusted keys given.');
  }
  if (report.ok && report.lastCheckpointSeq !== null && report.lastSeq > report.lastCheckpointSeq) {
    lines.push(`Events after seq ${report.lastCheckpointSeq} are covered by the hash chain but not yet by a signed checkpoint.`);
  }
  return lines.join('\n');
}
