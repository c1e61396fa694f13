/**
 * The audit log. Ingest: many concurrent `AuditLog.append` calls (chained,
 * durable: each resolves after its group commit), on SQLite in a temp dir and
 * on PostgreSQL. Search: a text + time-range query over a large log, filled
 * through the same AuditLog with bigger group commits (a valid chain, fewer
 * fsyncs), timed with `searchAuditEvents` as the API runs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditLog } from '../src/audit/audit-log.ts';
import { searchAuditEvents } from '../src/audit/audit-search.ts';
import type { AuditEventInput } from '../src/audit/audit-event.ts';
import { openStore } from '../src/store/open-store.ts';
import type { Store } from '../src/store/store.ts';
import { ManualClock, systemClock } from '../src/time/clock.ts';
import { PG_ADMIN_URL, adminQuery } from './bench-postgres.ts';
import { interleave, median, percentile, round } from './bench-stats.ts';
import type { BenchOptions } from './decide-bench.ts';

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima', 'mike', 'november', 'oscar', 'papa'];
const TABLES = ['orders', 'customers', 'invoices', 'payments', 'accounts', 'sessions', 'devices', 'logins'];

function event(i: number): AuditEventInput {
  const table = TABLES[i % TABLES.length]!;
  const word = WORDS[(i >> 3) % WORDS.length]!;
  return {
    code: 'STATEMENT_ALLOWED',
    actor: `c${i % 500}@vendor${i % 7}.example`,
    resource: `db-${i % 50}`,
    subject: null,
    summary: `SELECT ${word} FROM ${table} WHERE id = ${i}`,
    data: { kind: 'read', tables: [table], session: `ses_${(i % 2000).toString(16)}` },
  };
}

interface ScratchStore {
  readonly store: Store;
  destroy(): Promise<void>;
}


async function scratchStore(engine: 'sqlite' | 'postgres'): Promise<ScratchStore> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stint-bench-audit-'));
  const dbName = `stint_bench_audit_${Math.random().toString(36).slice(2, 10)}`;
  if (engine === 'postgres') await adminQuery(`CREATE DATABASE ${dbName}`);
  const url = engine === 'postgres' ? PG_ADMIN_URL.replace(/\/postgres$/, `/${dbName}`) : undefined;
  const store = await openStore({ url, dataDir });
  return {
    store,
    async destroy() {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (engine === 'postgres') await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    },
  };
}

/** Appends `count` events keeping `inFlight` appends outstanding; returns events per second. */
async function ingest(log: AuditLog, count: number, inFlight: number, at: (i: number) => void = () => undefined): Promise<number> {
  const start = performance.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++;
      at(i);
      await log.append(event(i));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / ((performance.now() - start) / 1000);
}

async function ingestRate(engine: 'sqlite' | 'postgres', count: number): Promise<number> {
  const scratch = await scratchStore(engine);
  try {
    const log = new AuditLog({ store: scratch.store, clock: systemClock });
    await ingest(log, Math.min(2_000, count), 1_000); // warm-up
    const rate = await ingest(log, count, 2_000);
    await log.close();
    return rate;
  } finally {
    await scratch.destroy();
  }
}

export async function benchAudit(options: BenchOptions & { readonly auditEvents?: number } = {}): Promise<Record<string, number>> {
  const quick = options.quick === true;
  const ingestCount = quick ? 20_000 : 100_000;
  // Three rounds, the engines taking turns, and the median of each: one run swings with the machine's load.
  const rates = await interleave(3, {
    sqlite: () => ingestRate('sqlite', ingestCount),
    postgres: () => ingestRate('postgres', ingestCount),
  });
  const results: Record<string, number> = {
    'audit.ingest_per_s': round(median(rates.sqlite), 0),
    'audit.ingest_per_s.postgres': round(median(rates.postgres), 0),
  };

  const total = options.auditEvents ?? (quick ? 100_000 : 1_000_000);
  const scratch = await scratchStore('sqlite');
  try {
    // Events one second apart from a fixed start, so time ranges select known slices.
    const clock = new ManualClock('2026-01-01T00:00:00Z');
    const origin = clock.now();
    const log = new AuditLog({ store: scratch.store, clock, maxBatch: 5_000 });
    const fillStart = performance.now();
    await ingest(log, total, 10_000, () => clock.advance(1_000));
    await log.close();
    results['audit.search.fill_s'] = round((performance.now() - fillStart) / 1000, 1);
    results['audit.search.events'] = total;

    const queries = quick ? 40 : 100;
    const span = total * 1_000;
    const timings: number[] = [];
    let hits = 0;
    for (let q = 0; q < queries; q++) {
      const since = origin + Math.floor(((q * 37) % 100) / 100 * span * 0.8);
      const text = `${WORDS[q % WORDS.length]} ${TABLES[q % TABLES.length]}`;
      const start = performance.now();
      const found = await searchAuditEvents(scratch.store, { text, since, until: since + span / 5, limit: 50 });
      timings.push(performance.now() - start);
      hits += found.events.length;
    }
    // Queries that all come back empty would time the cheapest path, not a search.
    if (hits === 0) throw new Error('no search matched any event; the benchmark queries do not fit the generated log');
    results['audit.search.hits_avg'] = round(hits / queries, 1);
    results['audit.search_ms.p50'] = round(percentile(timings, 50), 2);
    results['audit.search_ms.p95'] = round(percentile(timings, 95), 2);
  } finally {
    await scratch.destroy();
  }
  return results;
}
