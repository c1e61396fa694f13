import { StintError } from './errors/stint-error.ts';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Reads HOST:PORT (IPv6 as [::1]:7070); port 0 picks a free port. */
export function parseListenAddress(text: string, flag: string): ListenAddress {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const port = match === null ? NaN : Number(match[3]);
  if (match === null || port > 65535) {
    throw new StintError('STINT_ERR_CONFIG', `${flag} "${text}" is not HOST:PORT (e.g. 127.0.0.1:7070 or [::1]:7070).`);
  }
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
