import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The gateway's own BackendKeyData. Clients must never learn the upstream's
 * key (it would let them cancel queries on the database directly, past the
 * gateway), so each session gets a random process id and secret here, and a
 * CancelRequest is matched back to its session before anything is forwarded.
 */

export interface GatewayCancelKey {
  readonly pid: number;
  /** 4 bytes: the only length protocol 3.0 clients accept. */
  readonly secretKey: Buffer;
}

/** Real PostgreSQL process ids are positive Int32s; clients may assume so. */
const MAX_PID = 0x7fffffff;

export class CancelKeys<Owner> {
  readonly #byPid = new Map<number, { readonly secretKey: Buffer; readonly owner: Owner }>();

  get size(): number {
    return this.#byPid.size;
  }

  issue(owner: Owner): GatewayCancelKey {
    let pid: number;
    do pid = randomInt(1, MAX_PID);
    while (this.#byPid.has(pid));
    const secretKey = randomBytes(4);
    this.#byPid.set(pid, { secretKey, owner });
    return { pid, secretKey };
  }

  release(pid: number): void {
    this.#byPid.delete(pid);
  }

  /**
   * The session a CancelRequest names, or undefined. The secret is compared
   * in constant time so the answer's timing says nothing about how much of a
   * guess was right.
   */
  find(pid: number, secretKey: Buffer): Owner | undefined {
    const entry = this.#byPid.get(pid);
    if (entry === undefined) return undefined;
    if (entry.secretKey.length !== secretKey.length) return undefined;
    return timingSafeEqual(entry.secretKey, secretKey) ? entry.owner : undefined;
  }
}
