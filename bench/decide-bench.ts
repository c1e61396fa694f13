/**
 * How long one access decision takes on a realistic index: 1,000 contractors,
 * 50 resources, eight roles mixing name and label selectors with deny rules
 * and session limits, and a few hundred time-bound grants. Every proxied
 * statement asks `decide`, so it has to stay well under a microsecond.
 */
import { ACTIONS, type AccessModel, type Action, type ContractorInfo, type GrantInfo, type ResourceInfo, type RoleInfo } from '../src/access/access-model.ts';
import { buildAccessIndex, type AccessIndex } from '../src/access/access-index.ts';
import { decide, type AccessIdentity } from '../src/access/decide.ts';

export interface BenchOptions {
  /** Fewer and shorter rounds, for a smoke run. */
  readonly quick?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const CONTRACTORS = 1_000;
const RESOURCES = 50;
const GRANTS = 400;
/** A power of two, so the loop picks an input with a mask instead of a modulo. */
const INPUTS = 1 << 14;

/** A small seeded generator, so every run measures the same model and inputs. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const ENVS = ['dev', 'staging', 'prod'] as const;
const TEAMS = ['core', 'data', 'billing', 'search', 'mobile'] as const;

export function benchModel(): AccessModel {
  const rand = random(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const name = (i: number): string => `db-${String(i).padStart(3, '0')}`;
  const resources: ResourceInfo[] = Array.from({ length: RESOURCES }, (_, i) => ({
    name: name(i),
    kind: 'postgres',
    labels: { env: ENVS[i % ENVS.length]!, team: TEAMS[i % TEAMS.length]!, region: i % 2 === 0 ? 'eu' : 'us' },
  }));
  const names = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => name(from + i));
  const roles: RoleInfo[] = [
    { name: 'dev-read', grants: [{ resources: { labels: { env: 'dev' } }, actions: ['read'] }], denies: [], maxSessionMs: null },
    {
      name: 'staging-rw',
      grants: [{ resources: { labels: { env: 'staging' } }, actions: ['read', 'write'] }],
      denies: [{ resources: { labels: { env: 'staging', team: 'billing' } }, actions: ['write'] }],
      maxSessionMs: 8 * HOUR,
    },
    { name: 'prod-read-data', grants: [{ resources: { labels: { env: 'prod', team: 'data' } }, actions: ['read'] }], denies: [], maxSessionMs: 4 * HOUR },
    {
      name: 'team-search',
      grants: [{ resources: { labels: { team: 'search' } }, actions: ['read', 'write', 'ddl'] }],
      denies: [{ resources: { labels: { env: 'prod' } }, actions: ['ddl'] }],
      maxSessionMs: 2 * HOUR,
    },
    { name: 'ops', grants: [{ resources: { names: names(0, 5) }, actions: ['admin', 'read'] }], denies: [], maxSessionMs: HOUR },
    { name: 'analyst', grants: [{ resources: { names: names(10, 20), labels: { region: 'eu', env: 'staging' } }, actions: ['read'] }], denies: [], maxSessionMs: null },
    { name: 'no-prod-write', grants: [], denies: [{ resources: { labels: { env: 'prod' } }, actions: ['write', 'ddl', 'admin'] }], maxSessionMs: null },
    { name: 'eu-writer', grants: [{ resources: { labels: { region: 'eu' } }, actions: ['write'] }], denies: [], maxSessionMs: 12 * HOUR },
  ];
  const contractors: ContractorInfo[] = Array.from({ length: CONTRACTORS }, (_, i) => {
    const held = new Set<string>();
    const count = 1 + Math.floor(rand() * 3);
    while (held.size < count) held.add(pick(roles).name);
    const fate = rand();
    return {
      email: `c${String(i).padStart(4, '0')}@vendor${i % 7}.example`,
      roles: [...held],
      untilAt: fate < 0.03 ? NOW - DAY : NOW + Math.floor(1 + rand() * 180) * DAY,
      status: fate > 0.98 ? 'offboarded' : 'active',
    };
  });
  const grants: GrantInfo[] = Array.from({ length: GRANTS }, (_, i) => {
    const startsAt = NOW - Math.floor(rand() * 8) * HOUR;
    return {
      id: `g-${i}`,
      email: pick(contractors).email,
      resource: pick(resources).name,
      actions: [pick(ACTIONS), pick(ACTIONS)],
      startsAt,
      expiresAt: startsAt + Math.floor(1 + rand() * 12) * HOUR,
    };
  });
  return { resources, roles, contractors, grants };
}

interface BenchInput {
  readonly identity: AccessIdentity;
  readonly resource: string;
  readonly action: Action;
  readonly now: number;
}

/**
 * Inputs as a gateway sees them: mostly contractors using what they were
 * given, then a tail of wrong actions, wrong resources, strangers, ended
 * engagements, expired tokens and long sessions.
 */
function benchInputs(model: AccessModel, index: AccessIndex): BenchInput[] {
  const rand = random(7);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)]!;
  const entitled = model.contractors.flatMap((contractor) => {
    const access = index.effectiveAccess(contractor.email, NOW);
    return access.length > 0 ? [{ email: contractor.email, access }] : [];
  });
  return Array.from({ length: INPUTS }, (): BenchInput => {
    const roll = rand();
    let email: string;
    let resource: string;
    let action: Action;
    if (roll < 0.6) {
      const subject = pick(entitled);
      const access = pick(subject.access);
      email = subject.email;
      resource = access.resource;
      action = pick(access.actions);
    } else {
      email = roll < 0.62 ? `stranger${Math.floor(rand() * 50)}@nowhere.example` : pick(model.contractors).email;
      resource = roll > 0.99 ? 'no-such-db' : pick(model.resources).name;
      action = pick(ACTIONS);
    }
    const now = NOW + Math.floor(rand() * HOUR);
    const tokenExpiresAt = rand() < 0.5 ? null : NOW + Math.floor(rand() * 30) * DAY;
    const identity: AccessIdentity = rand() < 0.7 ? { email, tokenExpiresAt, sessionStartedAt: now - Math.floor(rand() * 3 * HOUR) } : { email, tokenExpiresAt };
    return { identity, resource, action, now };
  });
}

export async function benchDecide(options: BenchOptions = {}): Promise<{ 'decide.ns_per_op': number }> {
  const model = benchModel();
  const index = buildAccessIndex(model);
  const inputs = benchInputs(model, index);
  const mask = INPUTS - 1;
  const calls = options.quick === true ? 200_000 : 2_000_000;
  const rounds = options.quick === true ? 3 : 7;

  const run = (n: number): { ns: number; allowed: number } => {
    let allowed = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) {
      const input = inputs[i & mask]!;
      if (decide(index, input.identity, input.resource, input.action, input.now).allow) allowed++;
    }
    return { ns: Number(process.hrtime.bigint() - start), allowed };
  };

  run(calls / 2); // warm-up: let the JIT compile decide before anything is timed
  const perOp: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const { ns, allowed } = run(calls);
    // A mix that allows everything or nothing would measure a single branch, not the decision.
    const share = allowed / calls;
    if (share < 0.05 || share > 0.95) throw new Error(`benchmark inputs are unrealistic: ${(share * 100).toFixed(1)}% allowed`);
    perOp.push(ns / calls);
    // Yield between rounds so the process stays responsive to signals.
    await new Promise((resolve) => setImmediate(resolve));
  }
  perOp.sort((a, b) => a - b);
  const median = perOp[Math.floor(perOp.length / 2)]!;
  return { 'decide.ns_per_op': Math.round(median * 10) / 10 };
}
