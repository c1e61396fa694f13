// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { formatRelative, formatSpan } from '../time/instant.ts';
import { Countdown } from './countdown.tsx';

const START = Date.parse('2026-03-01T10:00:00Z');

describe('Countdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('ticks down every second and says when it has ended', () => {
    const end = START + (3 * 60 + 12) * 60_000 + 30_000;
    render(<Countdown to={new Date(end).toISOString()} />);
    expect(screen.getByText('ends in 3 h 12 min')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(31_000);
    });
    expect(screen.getByText('ends in 3 h 11 min')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(3 * 3_600_000 + 11 * 60_000);
    });
    expect(screen.getByText('ends in 59 s')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByText('ended')).toBeTruthy();
  });

  it('accepts epoch milliseconds and carries the exact instant', () => {
    render(<Countdown to={START + 90_000} prefix="time left:" />);
    const time = screen.getByText('time left: 1 min 30 s');
    expect(time.getAttribute('datetime')).toBe(new Date(START + 90_000).toISOString());
  });

  it('says so when there is no end', () => {
    render(<Countdown to={null} />);
    expect(screen.getByText('no end')).toBeTruthy();
  });
});

describe('formatSpan', () => {
  it('uses at most two units', () => {
    expect(formatSpan(0)).toBe('0 s');
    expect(formatSpan(45_000)).toBe('45 s');
    expect(formatSpan(12 * 60_000)).toBe('12 min');
    expect(formatSpan(3 * 3_600_000 + 12 * 60_000 + 59_000)).toBe('3 h 12 min');
    expect(formatSpan(2 * 86_400_000 + 3 * 3_600_000 + 5 * 60_000)).toBe('2 d 3 h');
    expect(formatSpan(-5_000)).toBe('0 s');
  });
});

describe('formatRelative', () => {
  it('says past and future in whole minutes after the first minute', () => {
    expect(formatRelative(START - 500, START)).toBe('just now');
    expect(formatRelative(START - 42_000, START)).toBe('42 s ago');
    expect(formatRelative(START - (3 * 60_000 + 59_000), START)).toBe('3 min ago');
    expect(formatRelative(START + 2 * 3_600_000 + 61_000, START)).toBe('in 2 h 1 min');
  });
});
