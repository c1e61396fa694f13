// The prebuilt server bundle (ADR 0010): where it lives, whether it is
// current, and how to build it. bin/stint imports only the cheap part (a stat
// walk); esbuild is loaded when a build is asked for.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';

/** The checkout this script belongs to. */
export const PROJECT_ROOT = resolve(import.meta.dirname, '..');

/**
 * The bundle sits two directories below the root, as the sources do
 * (src/<area>/), so paths the code resolves from import.meta.dirname
 * (e.g. ../../web/dist for the console) land in the same place.
 */
export const BUNDLE_DIR = 'dist/server';
export const BUNDLE_ENTRY = 'main.js';
/** The statement-gate worker is loaded by file, so it is a second entry point next to the first. */
export const BUNDLE_WORKER = 'postgres-statement-gate-worker.js';

const isSource = (name) => name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts');

/** Newest modification time (ms) of the server's sources under `dir` (tests excluded: they are not bundled). */
export function newestSourceMs(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (isSource(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Why the bundle under `root` cannot be used, or null when it can: it must
 * exist (both entries) and be no older than any source file, so editing a
 * source never runs stale code.
 */
export function bundleStaleReason(root = PROJECT_ROOT) {
  const dir = join(root, BUNDLE_DIR);
  const entry = join(dir, BUNDLE_ENTRY);
  if (!existsSync(entry) || !existsSync(join(dir, BUNDLE_WORKER))) return `${BUNDLE_DIR} is missing`;
  const src = join(root, 'src');
  if (!existsSync(src)) return null;
  return statSync(entry).mtimeMs < newestSourceMs(src) ? `${BUNDLE_DIR} is older than src/` : null;
}

/**
 * Bundles the CLI (and so the server) and the statement-gate worker with
 * esbuild. Packages stay external: native and wasm modules (better-sqlite3,
 * libpg-query) must load from node_modules, and so do the others' own files.
 * The worker entry is written first, the main entry last, so the main
 * entry's mtime is the bundle's.
 */
export async function buildServerBundle(root = PROJECT_ROOT) {
  const { build } = await import('esbuild');
  const outdir = join(root, BUNDLE_DIR);
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outdir,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
  await build({ ...common, entryPoints: { [BUNDLE_WORKER.replace(/\.js$/, '')]: 'src/proxies/postgres/postgres-statement-gate-worker.ts' } });
  await build({ ...common, entryPoints: { [BUNDLE_ENTRY.replace(/\.js$/, '')]: 'src/cli/main.ts' } });
  return join(outdir, BUNDLE_ENTRY);
}

// `node scripts/server-bundle.mjs build` builds; `… if-stale` builds only when missing or older than src/.
if (process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const say = (line) => process.stderr.write(`build-server: ${line}\n`);
  const mode = process.argv[2] ?? 'build';
  if (mode !== 'build' && mode !== 'if-stale') {
    say(`unknown mode "${mode}"; use "build" or "if-stale".`);
    process.exit(2);
  }
  const reason = mode === 'build' ? 'build requested' : bundleStaleReason();
  if (reason !== null) {
    if (mode === 'if-stale') say(`${reason}; building`);
    try {
      await buildServerBundle();
    } catch (error) {
      say(`esbuild failed: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  }
}
