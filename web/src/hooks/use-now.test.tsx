// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimeAgo } from '../components/time-ago.tsx';

const START = Date.parse('2026-03-01T10:00:00Z');

describe('useNow', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('gives a view mounted between ticks the current time, not the last tick’s', () => {
    const { rerender } = render(<TimeAgo at={START - 5 * 60_000} />);
    expect(screen.getByText('5 min ago')).toBeTruthy();
    // 20 s into the 30 s interval: no tick yet.
    act(() => {
      vi.advanceTimersByTime(20_000);
    });
    const justMade = START + 20_000;
    act(() => {
      rerender(
        <>
          <TimeAgo at={START - 5 * 60_000} />
          <TimeAgo at={justMade} />
        </>,
      );
    });
    // Not "in 20 s": the newcomer is measured against now.
    expect(screen.getByText('just now')).toBeTruthy();
    expect(screen.getByText('5 min ago')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(10_000);
    });
    expect(screen.getByText('10 s ago')).toBeTruthy();
  });
});
