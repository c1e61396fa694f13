import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import type { Principal } from '../api/api-types.ts';
import { AuthProvider, useAuth } from '../auth/auth-context.tsx';
import { saveToken } from '../auth/token-store.ts';
import { createFetchMock, ok, type FetchMock, type MockHandler } from './fetch-mock.ts';

function WhenSignedIn({ children }: { children: ReactNode }) {
  const { status } = useAuth();
  return status === 'signed-in' ? children : <p>signing in</p>;
}

/** Renders `ui` as a signed-in viewer with `who`'s roles; the API answers from `routes`. */
export function renderSignedIn(ui: ReactNode, who: Principal, routes: Record<string, MockHandler> = {}): FetchMock & ReturnType<typeof render> {
  const mock = createFetchMock({ 'GET /v1/whoami': () => ok(who), ...routes });
  saveToken('stint_test_token');
  const rendered = render(
    <AuthProvider fetchImpl={mock.fetch}>
      <WhenSignedIn>{ui}</WhenSignedIn>
    </AuthProvider>,
  );
  return Object.assign(rendered, mock);
}
