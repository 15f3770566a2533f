/** A one-line progress bar on stderr, only when it is an interactive terminal. */
export function progressBar(enabled: boolean, write: (text: string) => void): { update(done: number, total: number, phase: string): void; done(): void } {
  let last = 0;
  let shown = false;
  return {
    update(done, total, phase) {
      if (!enabled || total < 20) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      const width = 30;
      const filled = Math.round((done / total) * width);
      write(`\r${phase.padEnd(8)} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`);
      shown = true;
    },
    done() {
      if (shown) write("\r\x1b[K");
    },
  };
}
