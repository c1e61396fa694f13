/**
 * `npm run bench [-- --quick] [-- --only <prefix>] [-- --audit-events N]`:
 * runs the benchmarks, prints a Markdown table and records the figures in
 * bench/results/. Results merge with the previous file, so running one
 * benchmark keeps the others.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchAudit } from './audit-bench.ts';
import { benchClassify } from './classify-bench.ts';
import { benchDecide } from './decide-bench.ts';
import { benchSessionEnds } from './expiry-bench.ts';
import { benchPgLatency } from './latency-bench.ts';
import { benchPgThroughput } from './pg-bench.ts';
import { benchGatewayMemory } from './rss-bench.ts';

interface RunOptions {
  readonly quick: boolean;
  readonly auditEvents: number | undefined;
}

interface Bench {
  readonly name: string;
  readonly run: (options: RunOptions) => Promise<Readonly<Record<string, number>>>;
}

/** Every benchmark, written out; add new ones here. */
const BENCHES: readonly Bench[] = [
  { name: 'decide', run: benchDecide },
  { name: 'sql-classify', run: benchClassify },
  { name: 'audit', run: (options) => benchAudit(options.auditEvents === undefined ? { quick: options.quick } : options) },
  { name: 'pg-tps', run: benchPgThroughput },
  { name: 'pg-latency', run: benchPgLatency },
  { name: 'expiry', run: benchSessionEnds },
  { name: 'gateway-rss', run: benchGatewayMemory },
];

interface Target {
  readonly op: '<=' | '>=';
  readonly value: number;
  readonly unit: string;
}

/** The targets of the benchmark issue, shown next to each figure. */
const TARGETS: Readonly<Record<string, Target>> = {
  'pg.tps.ratio_gateway_pgbouncer': { op: '>=', value: 0.8, unit: '× pgbouncer' },
  'pg.tps.ratio_gateway_pgbouncer_prepared': { op: '>=', value: 0.8, unit: '× pgbouncer' },
  'pg.latency_added_us.p50': { op: '<=', value: 60, unit: 'µs' },
  'expiry.lag_ms.p99': { op: '<=', value: 50, unit: 'ms' },
  'revoke.lag_ms.p99': { op: '<=', value: 250, unit: 'ms' },
  'decide.ns_per_op': { op: '<=', value: 1_000, unit: 'ns/op' },
  'sql.classify_us.cached': { op: '<=', value: 5, unit: 'µs' },
  'audit.ingest_per_s': { op: '>=', value: 100_000, unit: 'events/s' },
  'audit.search_ms.p95': { op: '<=', value: 100, unit: 'ms at 1 M events' },
  'gateway.rss_mb.idle': { op: '<=', value: 120, unit: 'MB' },
  'gateway.rss_kb_per_session': { op: '<=', value: 200, unit: 'kB' },
};

interface Machine {
  readonly cpu: string;
  readonly cores: number;
  readonly node: string;
  readonly date: string;
}

interface ResultsFile {
  readonly machine: Machine;
  readonly command: string;
  readonly results: Readonly<Record<string, number>>;
}

const USAGE = 'usage: npm run bench -- [--quick] [--only <prefix>] [--audit-events N]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(args: readonly string[]): { quick: boolean; only: string | null; auditEvents: number | undefined } {
  let quick = false;
  let only: string | null = null;
  let auditEvents: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only' && args[i + 1] !== undefined) only = args[++i]!;
    else if (arg?.startsWith('--only=') === true) only = arg.slice('--only='.length);
    else if (arg === '--audit-events' && args[i + 1] !== undefined) {
      auditEvents = Number(args[++i]);
      if (!Number.isSafeInteger(auditEvents) || auditEvents < 1_000) fail('--audit-events takes a whole number of at least 1000');
    } else fail(`unknown argument: ${arg}`);
  }
  return { quick, only, auditEvents };
}

function verdict(key: string, value: number): { target: string; met: string } {
  const target = TARGETS[key];
  if (target === undefined) return { target: '', met: '' };
  const met = target.op === '<=' ? value <= target.value : value >= target.value;
  return { target: `${target.op === '<=' ? '≤' : '≥'} ${target.value} ${target.unit}`, met: met ? '✓' : '✗' };
}

function table(results: Readonly<Record<string, number>>): string {
  const rows = ['| metric | value | target | met |', '| --- | ---: | --- | :---: |'];
  for (const key of Object.keys(results).sort()) {
    const value = results[key]!;
    const { target, met } = verdict(key, value);
    rows.push(`| ${key} | ${value} | ${target} | ${met} |`);
  }
  return rows.join('\n');
}

function readPrevious(path: URL): Record<string, number> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<ResultsFile>;
    return { ...parsed.results };
  } catch {
    return {};
  }
}

const argv = process.argv.slice(2);
const { quick, only, auditEvents } = parseArgs(argv);
const selected = BENCHES.filter((bench) => only === null || bench.name.startsWith(only));
if (selected.length === 0) fail(`no benchmark matches "${only}"; known: ${BENCHES.map((bench) => bench.name).join(', ')}`);

const command = ['npm run bench', ...(argv.length > 0 ? ['--', ...argv] : [])].join(' ');
const started = performance.now();
const measured: Record<string, number> = {};
for (const bench of selected) {
  console.log(`running ${bench.name}${quick ? ' (quick)' : ''} ...`);
  const benchStart = performance.now();
  Object.assign(measured, await bench.run({ quick, auditEvents }));
  console.log(`  ${bench.name} took ${((performance.now() - benchStart) / 1000).toFixed(1)} s`);
}

const resultsDir = new URL('./results/', import.meta.url);
mkdirSync(resultsDir, { recursive: true });
const jsonPath = new URL('latest.json', resultsDir);
const file: ResultsFile = {
  machine: {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
  },
  command,
  results: { ...readPrevious(jsonPath), ...measured },
};
writeFileSync(jsonPath, `${JSON.stringify(file, null, 2)}\n`);
const { machine } = file;
const markdown = [
  '# Benchmark results',
  '',
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}`,
  '',
  `Command: \`${command}\``,
  '',
  table(file.results),
  '',
].join('\n');
writeFileSync(new URL('latest.md', resultsDir), markdown);

console.log(`\n${table(measured)}\n\n${command}: ${((performance.now() - started) / 1000).toFixed(0)} s; written: bench/results/latest.json, bench/results/latest.md`);
