export interface ProgressBar {
  update(done: number, total: number, phase: string): void;
  /** Clears the bar (if it was shown) so the next line starts clean. */
  done(): void;
}

export interface ProgressOptions {
  /** Runs with fewer items never show a bar (default 20). */
  readonly minTotal?: number;
  /** Show nothing until the run has lasted this long, so quick runs print nothing (default 0). */
  readonly delayMs?: number;
  /** Minimum time between redraws (default 100 ms). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** A one-line progress bar on stderr, only when it is an interactive terminal. */
export function progressBar(enabled: boolean, write: (text: string) => void, options: ProgressOptions = {}): ProgressBar {
  const { minTotal = 20, delayMs = 0, intervalMs = 100, now = Date.now } = options;
  const started = now();
  let last = Number.NEGATIVE_INFINITY;
  let shown = false;
  return {
    update(done, total, phase) {
      if (!enabled || total < minTotal) return;
      const time = now();
      if (time - started < delayMs) return;
      if (time - last < intervalMs && done < total) return;
      last = time;
      const width = 30;
      const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
      const filled = Math.round(ratio * width);
      write(`\r${phase.padEnd(8)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
      shown = true;
    },
    done() {
      if (shown) write("\r\x1b[K");
      shown = false;
    },
  };
}
