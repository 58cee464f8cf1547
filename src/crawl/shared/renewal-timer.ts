/**
 * Runs a renewal step every `intervalMs`, one at a time (the next waits for the last to end), on
 * an unref'd timer: a worker's leases never keep a finished process alive. A failed step is
 * dropped; the next one tries again (the link already waits out short outages).
 */
export class RenewalTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly step: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.step()
        .catch(() => {})
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.intervalMs);
    this.timer.unref();
  }

  /** No step starts after this; the returned promise ends with the step in progress, if any. */
  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    return this.running ?? Promise.resolve();
  }
}
