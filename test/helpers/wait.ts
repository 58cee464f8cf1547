/**
 * Polling for something a test cannot await directly: a server counter reaching a number, a line on
 * a terminal screen, a file appearing. Each wait names what it waits for, so a timeout says which.
 */
import { setTimeout as sleep } from "node:timers/promises";

export interface WaitOptions {
  /** Fail after this long. @default 10000 */
  timeoutMs?: number;
  /** Time between two probes; make it longer when a probe is costly (spawns a process). @default 10 */
  everyMs?: number;
}

/**
 * Calls `probe` every `everyMs` until it gives something other than `undefined`, and resolves with
 * that; rejects, naming `what`, once `timeoutMs` has passed.
 */
export async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  { timeoutMs = 10_000, everyMs = 10 }: WaitOptions = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Resolves once `condition()` is true (checked every `everyMs`); rejects, naming `what`, after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, options: WaitOptions = {}): Promise<void> {
  await waitFor(() => (condition() ? true : undefined), what, options);
}
