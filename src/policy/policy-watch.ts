/**
 * Tells the server when the policy on disk may have changed. It only
 * watches; reading and validating is the caller's job, and a reload of an
 * unchanged policy is harmless (same digest), so false alarms are cheap while
 * a missed change is not.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

export interface PolicyWatcher {
  close(): void;
}

export interface WatchPolicyOptions {
  /** Quiet time after the last event before onChange runs; editors write in bursts. Default 250 ms. */
  readonly debounceMs?: number;
}

export function watchPolicyPath(path: string, onChange: () => void, options: WatchPolicyOptions = {}): PolicyWatcher {
  const debounceMs = options.debounceMs ?? 250;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const watchers = new Set<FSWatcher>();
  const isFile = statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
  let fileWatcher: FSWatcher | undefined;

  const fire = (): void => {
    if (closed) return;
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (closed) return;
      if (isFile) rearmFileWatcher();
      onChange();
    }, debounceMs);
  };

  const add = (watcher: FSWatcher): FSWatcher => {
    // A watched directory that disappears emits 'error'; report it as a change so the reload says what is missing.
    watcher.on('error', () => {
      watchers.delete(watcher);
      watcher.close();
      fire();
    });
    watchers.add(watcher);
    return watcher;
  };

  // Editors often save by writing a new file and renaming it over the old
  // one; a watch on the old inode then goes quiet. So a single file is
  // watched through its directory (which sees the rename) and directly (which
  // sees in-place writes, also through a symlink), re-armed after each change.
  const rearmFileWatcher = (): void => {
    if (fileWatcher !== undefined) {
      watchers.delete(fileWatcher);
      fileWatcher.close();
      fileWatcher = undefined;
    }
    try {
      fileWatcher = add(watch(path, { persistent: true }, fire));
    } catch {
      // The file is gone for now; the directory watch sees it come back.
    }
  };

  if (isFile) {
    const name = basename(path);
    add(
      watch(dirname(path), { persistent: true }, (_event, changed) => {
        if (changed === null || changed.toString() === name) fire();
      }),
    );
    rearmFileWatcher();
  } else {
    add(watchDirectory(path, fire));
  }

  return {
    close(): void {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      for (const watcher of watchers) watcher.close();
      watchers.clear();
    },
  };
}

function watchDirectory(path: string, listener: () => void): FSWatcher {
  try {
    return watch(path, { persistent: true, recursive: true }, listener);
  } catch (cause) {
    // Recursive watching is missing on some platforms and Node versions; the top level is still covered.
    if (cause instanceof Error && 'code' in cause && cause.code === 'ERR_FEATURE_UNAVAILABLE_ON_PLATFORM') {
      return watch(path, { persistent: true }, listener);
    }
    throw cause;
  }
}
