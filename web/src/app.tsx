import { useEffect, useRef, type ReactNode } from 'react';
import type { ApiRole } from './api/api-types.ts';
import { AuthProvider, useAuth } from './auth/auth-context.tsx';
import { hasRole } from './auth/roles.ts';
import { SignInPage } from './auth/sign-in-page.tsx';
import { EmptyState } from './components/empty-state.tsx';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { LiveProvider, useLiveMode } from './live/live-context.tsx';
import { homeFor, navFor } from './nav-items.ts';
import { AccessPage } from './pages/access/access-page.tsx';
import { AuditPage } from './pages/audit/audit-page.tsx';
import { ContractorDetailPage } from './pages/contractors/contractor-detail-page.tsx';
import { ContractorsPage } from './pages/contractors/contractors-page.tsx';
import { InviteAcceptPage } from './pages/invite/invite-accept-page.tsx';
import { OverviewPage } from './pages/overview/overview-page.tsx';
import { PortalPage } from './pages/portal/portal-page.tsx';
import { RequestsPage } from './pages/requests/requests-page.tsx';
import { SessionDetailPage } from './pages/sessions/session-detail-page.tsx';
import { SessionsPage } from './pages/sessions/sessions-page.tsx';
import { Link, matchPath, navigate, useLocation } from './router/router.tsx';

interface RouteDef {
  readonly pattern: string;
  readonly roles: readonly ApiRole[];
  readonly render: (params: Record<string, string>) => ReactNode;
}

const STAFF: readonly ApiRole[] = ['approver', 'auditor'];

const ROUTES: readonly RouteDef[] = [
  { pattern: '/', roles: STAFF, render: () => <OverviewPage /> },
  { pattern: '/contractors', roles: STAFF, render: () => <ContractorsPage /> },
  { pattern: '/contractors/:email', roles: STAFF, render: (p) => <ContractorDetailPage email={p.email ?? ''} /> },
  { pattern: '/access', roles: STAFF, render: () => <AccessPage /> },
  { pattern: '/requests', roles: STAFF, render: () => <RequestsPage /> },
  { pattern: '/sessions', roles: STAFF, render: () => <SessionsPage /> },
  { pattern: '/sessions/:id', roles: ['approver', 'auditor', 'contractor'], render: (p) => <SessionDetailPage id={p.id ?? ''} /> },
  { pattern: '/audit', roles: ['auditor'], render: () => <AuditPage /> },
  { pattern: '/portal', roles: ['contractor'], render: () => <PortalPage /> },
];

function LiveBadge() {
  const mode = useLiveMode();
  if (mode === null) return null;
  const text = mode === 'streaming' ? 'Live' : mode === 'polling' ? 'Refreshing every 5 s' : 'Connecting…';
  return (
    <span className={`live-badge live-${mode}`} role="status" aria-label={`Updates: ${text}`}>
      {text}
    </span>
  );
}

function Shell() {
  const { principal, signOut, http } = useAuth();
  const { path } = useLocation();
  const main = useRef<HTMLElement>(null);
  const shownPath = useRef(path);

  // After navigating, move focus to the page so keyboard and screen-reader users start at its top. Only on a
  // real change of path: on a fresh load (and when an effect runs twice) focus stays at the document's start,
  // so the skip link remains the first Tab stop.
  useEffect(() => {
    if (shownPath.current === path) return;
    shownPath.current = path;
    main.current?.focus();
  }, [path]);

  const home = homeFor(principal);
  const matched = ROUTES.find((route) => matchPath(route.pattern, path) !== null);
  const permitted = matched === undefined || hasRole(principal, matched.roles);
  // A contractor has no staff pages and staff have no portal: send each home rather than to a refusal
  // (e.g. after signing in on a page the previous viewer had open).
  const wrongSide = !permitted && (home === '/portal' || matched?.pattern === '/portal');
  useEffect(() => {
    if (wrongSide) navigate(home, { replace: true });
  }, [wrongSide, home]);

  let content: ReactNode = (
    <EmptyState title="Page not found">
      <p>
        Nothing lives at {path}. <Link to={home}>Go to the start page</Link>.
      </p>
    </EmptyState>
  );
  for (const route of ROUTES) {
    const params = matchPath(route.pattern, path);
    if (params === null) continue;
    content = hasRole(principal, route.roles) ? (
      route.render(params)
    ) : (
      <EmptyState title="Not available with your role">
        <p>
          This page needs one of: {route.roles.join(', ')}. You are signed in as {principal?.email} ({principal?.apiRoles.join(', ')}).
        </p>
      </EmptyState>
    );
    break;
  }

  return (
    <LiveProvider http={http}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="app-header">
        <Link to={home} className="brand" aria-label="Stint home">
          Stint
        </Link>
        <nav aria-label="Main">
          <ul>
            {navFor(principal).map((item) => (
              <li key={item.path}>
                <Link to={item.path} aria-current={item.path === path || (item.path !== '/' && path.startsWith(`${item.path}/`)) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <LiveBadge />
          <span className="who-email" title={principal?.apiRoles.join(', ')}>
            {principal?.email} <span className="who-roles">({principal?.apiRoles.join(', ')})</span>
          </span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <ErrorBoundary resetKey={path}>{content}</ErrorBoundary>
      </main>
    </LiveProvider>
  );
}

function Gate() {
  const { status } = useAuth();
  const { path } = useLocation();
  // An invite link works before anyone is signed in.
  const invite = matchPath('/invite/:code', path);
  if (invite !== null) {
    return (
      <main id="main">
        <ErrorBoundary resetKey={path}>
          <InviteAcceptPage code={invite.code ?? ''} />
        </ErrorBoundary>
      </main>
    );
  }
  if (status === 'checking') {
    return (
      <main id="main">
        <p role="status">Checking your session…</p>
      </main>
    );
  }
  return status === 'signed-in' ? <Shell /> : <SignInPage />;
}

export function App({ fetchImpl }: { fetchImpl?: typeof fetch }) {
  return (
    <ErrorBoundary>
      <AuthProvider {...(fetchImpl === undefined ? {} : { fetchImpl })}>
        <Gate />
      </AuthProvider>
    </ErrorBoundary>
  );
}
