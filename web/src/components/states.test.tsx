// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { OverviewPage } from '../pages/overview/overview-page.tsx';
import { ContractorsPage } from '../pages/contractors/contractors-page.tsx';
import { fail, ok, principal } from '../testing/fetch-mock.ts';
import { renderSignedIn } from '../testing/render-signed-in.tsx';
import { ErrorBoundary } from './error-boundary.tsx';

const auditor = principal('aud@corp.io', ['auditor']);

function Broken(): never {
  throw new Error('cannot read the thing');
}

describe('error and empty states', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(cleanup);

  it('shows the API error code and message in the failing panel, with a working retry', async () => {
    let calls = 0;
    renderSignedIn(<OverviewPage />, auditor, {
      'GET /v1/console/overview': () =>
        ++calls === 1
          ? fail(503, 'STINT_ERR_STORE_UNAVAILABLE', 'The store did not answer.', 'Check the database.')
          : ok({ contractors: { active: 0, invited: 0, endingSoon: 0 }, sessions: { live: 0 }, requests: { pending: 0 }, endingSoon: [], recentDenials: [] }),
    });
    const alerts = await screen.findAllByRole('alert');
    expect(alerts[0]?.textContent).toContain('STINT_ERR_STORE_UNAVAILABLE');
    expect(alerts[0]?.textContent).toContain('The store did not answer.');
    expect(alerts[0]?.textContent).toContain('Check the database.');
    expect(screen.getByRole('heading', { name: 'Overview' })).toBeTruthy();
    fireEvent.click(screen.getAllByRole('button', { name: 'Try again' })[0]!);
    expect(await screen.findByText('Nothing ends soon')).toBeTruthy();
    expect(screen.getByText('No recent denials')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('keeps the list when a secondary call fails, and says the list is empty when it is', async () => {
    renderSignedIn(<ContractorsPage />, auditor, {
      'GET /v1/contractors': () => ok({ contractors: [] }),
      'GET /v1/reports/access': () => fail(500, 'STINT_ERR_INTERNAL', 'Internal error.'),
    });
    expect(await screen.findByText('No active contractors')).toBeTruthy();
  });

  it('catches a rendering failure instead of a blank screen', () => {
    // React reports the caught error to the console; keep the test output clean.
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      render(
        <ErrorBoundary>
          <Broken />
        </ErrorBoundary>,
      );
    } finally {
      quiet.mockRestore();
    }
    expect(screen.getByRole('alert').textContent).toContain('cannot read the thing');
  });
});
