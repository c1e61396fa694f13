/**
 * `npm run bench [-- --quick] [-- --only <prefix>]`: runs the benchmarks,
 * prints a Markdown table and records the figures in bench/results/. Results
 * merge with the previous file, so running one benchmark keeps the others.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { benchDecide } from './decide-bench.ts';

interface RunOptions {
  readonly quick: boolean;
}

interface Bench {
  readonly name: string;
  readonly run: (options: RunOptions) => Promise<Readonly<Record<string, number>>>;
}

/** Every benchmark, written out; add new ones here. */
const BENCHES: readonly Bench[] = [{ name: 'decide', run: benchDecide }];

/** What each figure should stay under, shown next to it. */
const TARGETS: Readonly<Record<string, { readonly max: number; readonly unit: string }>> = {
  'decide.ns_per_op': { max: 1_000, unit: 'ns/op' },
};

interface ResultsFile {
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string; readonly date: string };
  readonly results: Readonly<Record<string, number>>;
}

const USAGE = 'usage: npm run bench -- [--quick] [--only <prefix>]';

function parseArgs(args: readonly string[]): { quick: boolean; only: string | null } {
  let quick = false;
  let only: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--only' && args[i + 1] !== undefined) only = args[++i]!;
    else if (arg?.startsWith('--only=') === true) only = arg.slice('--only='.length);
    else {
      console.error(`unknown argument: ${arg}\n${USAGE}`);
      process.exit(2);
    }
  }
  return { quick, only };
}

function table(results: Readonly<Record<string, number>>): string {
  const rows = ['| metric | value | target |', '| --- | ---: | --- |'];
  for (const key of Object.keys(results).sort()) {
    const target = TARGETS[key];
    const value = results[key]!;
    const verdict = target === undefined ? '' : `< ${target.max} ${target.unit} ${value < target.max ? '(met)' : '(MISSED)'}`;
    rows.push(`| ${key} | ${value} | ${verdict} |`);
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

const { quick, only } = parseArgs(process.argv.slice(2));
const selected = BENCHES.filter((bench) => only === null || bench.name.startsWith(only));
if (selected.length === 0) {
  console.error(`no benchmark matches "${only}"; known: ${BENCHES.map((bench) => bench.name).join(', ')}`);
  process.exit(2);
}

const measured: Record<string, number> = {};
for (const bench of selected) {
  console.log(`running ${bench.name}${quick ? ' (quick)' : ''} ...`);
  Object.assign(measured, await bench.run({ quick }));
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
  results: { ...readPrevious(jsonPath), ...measured },
};
writeFileSync(jsonPath, `${JSON.stringify(file, null, 2)}\n`);
const { machine } = file;
const markdown = [
  '# Benchmark results',
  '',
  `${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}${quick ? ' (quick run)' : ''}`,
  '',
  table(file.results),
  '',
].join('\n');
writeFileSync(new URL('latest.md', resultsDir), markdown);

console.log(`\n${table(measured)}\n\nwritten: bench/results/latest.json, bench/results/latest.md`);
