/**
 * `node --import tsx bench/rss-probe.ts [--no-postgres]`: starts the server in
 * this process as `stint serve` does (temp data dir, loopback ports), waits 3 s
 * and prints process.memoryUsage() in MB, so the idle footprint can be broken
 * down (V8 heap, external and array buffers such as WASM memory, the rest).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../src/server.ts';
import { policyYaml } from './bench-gateway.ts';

const root = mkdtempSync(join(tmpdir(), 'stint-rss-probe-'));
const configPath = join(root, 'policy.yaml');
writeFileSync(configPath, policyYaml({ database: 'postgres' }));
const server = await startServer({
  configPath,
  dataDir: join(root, 'data'),
  listenApi: { host: '127.0.0.1', port: 0 },
  listenPostgres: process.argv.includes('--no-postgres') ? null : { host: '127.0.0.1', port: 0 },
  watch: false,
  logger: pino({ level: 'silent' }),
});
await new Promise((resolve) => setTimeout(resolve, 3000));
const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);
const usage = process.memoryUsage();
process.stdout.write(`rss ${mb(usage.rss)} heapTotal ${mb(usage.heapTotal)} heapUsed ${mb(usage.heapUsed)} external ${mb(usage.external)} arrayBuffers ${mb(usage.arrayBuffers)}\n`);
await server.close();
rmSync(root, { recursive: true, force: true });
