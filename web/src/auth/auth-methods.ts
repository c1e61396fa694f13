/**
 * How a viewer can sign in. Today only an API token; single sign-on plugs in
 * here as another method (it will redirect to the identity provider and come
 * back with a token), and the sign-in page lists whatever this returns, so
 * adding it needs no change to the page.
 */
export interface AuthMethod {
  readonly id: 'token' | 'sso';
  readonly label: string;
  readonly available: boolean;
  /** Why the method cannot be used yet, shown next to it. */
  readonly note?: string;
}

export function authMethods(): readonly AuthMethod[] {
  return [
    { id: 'token', label: 'Access token', available: true },
    {
      id: 'sso',
      label: 'Single sign-on',
      available: false,
      note: 'Single sign-on is not configured on this server yet. Ask an admin for a token (stint token create).',
    },
  ];
}
