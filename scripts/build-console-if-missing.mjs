#!/usr/bin/env node
// Builds the web console (web/dist) when it is missing or older than its
// sources, so `npm start` and `npm test` work on a fresh clone, and cost a
// few file stats when the build is current.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import process from 'node:process';

const say = (line) => process.stderr.write(`build-console: ${line}\n`);

const root = resolve(import.meta.dirname, '..');
const web = join(root, 'web');
const index = join(web, 'dist', 'index.html');

/** Newest modification time of the console's sources (web/ without dist/ and node_modules/). */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (!entry.name.endsWith('.test.tsx') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

if (!existsSync(web)) {
  say('there is no web/ directory; the server will answer / with a page saying the console is not built.');
  process.exit(0);
}
const reason = !existsSync(index) ? 'web/dist is missing' : statSync(index).mtimeMs < newestSource(web) ? 'web/dist is older than web/ sources' : null;
if (reason === null) process.exit(0);
say(`${reason}; running npm run build`);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const result = spawnSync(npm, ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  say('npm run build failed; fix the error above, or run it by hand.');
  process.exit(result.status ?? 1);
}
if (!existsSync(index)) {
  say('npm run build finished but web/dist/index.html does not exist.');
  process.exit(1);
}
