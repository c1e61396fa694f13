import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { scramPassword } from './postgres-upstream-saslprep.ts';
import { MAX_SCRAM_ITERATIONS, ScramError, ScramSha256Client } from './postgres-upstream-scram.ts';

// RFC 7677 §3: user "user", password "pencil".
const RFC = {
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

function rfcClient(password = 'pencil'): ScramSha256Client {
  return new ScramSha256Client(password, { nonce: RFC.nonce, username: 'user' });
}

async function failure(promise: Promise<unknown> | (() => unknown)): Promise<ScramError> {
  const error = await (typeof promise === 'function' ? Promise.resolve().then(promise) : promise).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ScramError);
  return error as ScramError;
}

describe('ScramSha256Client', () => {
  it('reproduces the RFC 7677 test vector and accepts its server signature', async () => {
    const client = rfcClient();
    expect(client.clientFirstMessage()).toBe(RFC.clientFirst);
    expect(await client.clientFinalMessage(RFC.serverFirst)).toBe(RFC.clientFinal);
    expect(client.verified).toBe(false);
    client.verifyServerFinal(RFC.serverFinal);
    expect(client.verified).toBe(true);
  });

  it('sends an empty user name and a fresh 24-character nonce by default, as libpq does', () => {
    const first = new ScramSha256Client('x').clientFirstMessage();
    const second = new ScramSha256Client('x').clientFirstMessage();
    expect(first).toMatch(/^n,,n=,r=[A-Za-z0-9+/]{24}$/);
    expect(second).not.toBe(first);
  });

  it('escapes "=" and "," in the user name', () => {
    expect(new ScramSha256Client('x', { nonce: 'abc', username: 'a=b,c' }).clientFirstMessage()).toBe('n,,n=a=3Db=2Cc,r=abc');
  });

  it('refuses a server signature made without the password', async () => {
    const client = rfcClient('not pencil');
    client.clientFirstMessage();
    const final = await client.clientFinalMessage(RFC.serverFirst);
    expect(final).not.toBe(RFC.clientFinal);
    const error = await failure(() => client.verifyServerFinal(RFC.serverFinal));
    expect(error.kind).toBe('auth');
    expect(error.message).toContain('signature is wrong');
    expect(client.verified).toBe(false);
  });

  it('refuses an e= answer, a missing v= and a truncated signature', async () => {
    for (const [serverFinal, kind] of [
      ['e=invalid-proof', 'auth'],
      ['x=whatever', 'protocol'],
      ['v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl9', 'auth'],
      ['v=', 'protocol'],
    ] as const) {
      const client = rfcClient();
      client.clientFirstMessage();
      await client.clientFinalMessage(RFC.serverFirst);
      expect((await failure(() => client.verifyServerFinal(serverFinal))).kind).toBe(kind);
    }
  });

  it('refuses a server nonce that does not extend the client nonce', async () => {
    for (const serverNonce of ['someoneElsesNonce123', RFC.nonce]) {
      const client = rfcClient();
      client.clientFirstMessage();
      const error = await failure(client.clientFinalMessage(`r=${serverNonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`));
      expect(error.kind).toBe('auth');
    }
  });

  it('refuses malformed server-first messages', async () => {
    for (const serverFirst of [
      'm=ext,r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
      'r=rOprNGfwEbeRWgbNEkqOxyz,i=4096,s=W22ZaJ0SNY7soEsUEjb6gQ==',
      'r=rOprNGfwEbeRWgbNEkqOxyz,s=not base64!,i=4096',
      'r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=0',
      'r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x',
      `r=rOprNGfwEbeRWgbNEkqOxyz,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=${MAX_SCRAM_ITERATIONS + 1}`,
      'garbage',
    ]) {
      const client = rfcClient();
      client.clientFirstMessage();
      expect((await failure(client.clientFinalMessage(serverFirst))).kind).toBe('protocol');
    }
  });

  it('refuses steps out of order', async () => {
    const client = rfcClient();
    expect((await failure(client.clientFinalMessage(RFC.serverFirst))).kind).toBe('protocol');
    const other = rfcClient();
    other.clientFirstMessage();
    expect((await failure(() => other.verifyServerFinal(RFC.serverFinal))).message).toContain('out of order');
  });

  it('derives the proof from the SASLprep’d password', async () => {
    // U+FB01 (ligature fi) normalises to "fi" and U+00A0 maps to a space.
    const client = rfcClient('pe\u00a0ncil\ufb01');
    client.clientFirstMessage();
    const final = await client.clientFinalMessage(RFC.serverFirst);
    const salted = pbkdf2Sync('pe ncilfi', Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64'), 4096, 32, 'sha256');
    const clientKey = createHmac('sha256', salted).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const authMessage = `n=user,r=${RFC.nonce},${RFC.serverFirst},c=biws,r=${RFC.serverFirst.slice(2, RFC.serverFirst.indexOf(','))}`;
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((byte, i) => byte ^ signature[i]!));
    expect(final.endsWith(`,p=${proof.toString('base64')}`)).toBe(true);
  });
});

describe('scramPassword (SASLprep)', () => {
  it('leaves ASCII alone, control characters included', () => {
    expect(scramPassword('pencil')).toBe('pencil');
    expect(scramPassword('tab\there')).toBe('tab\there');
  });

  it('maps non-ASCII spaces to a space, drops characters mapped to nothing, and applies NFKC', () => {
    expect(scramPassword('a\u00a0b')).toBe('a b');
    expect(scramPassword('a\u00adb\u200dc')).toBe('abc');
    expect(scramPassword('\u2168')).toBe('IX');
    expect(scramPassword('e\u0301')).toBe('\u00e9');
  });

  it('falls back to the raw password when SASLprep prohibits a character', () => {
    // A private-use character and a non-ASCII control character after mapping.
    expect(scramPassword('\ufb01\ue000')).toBe('\ufb01\ue000');
    expect(scramPassword('\u2168\u0085')).toBe('\u2168\u0085');
  });
});
