import { setMaxListeners } from "node:events";

/** One signal for a run: aborted by the caller's signal, or by the run itself when its consumer stops early. */
export function runController(callerSignal: AbortSignal | undefined): { controller: AbortController; release: () => void } {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) onCallerAbort();
  callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  // Retry waits and paced waits listen to the run signal while they last: by design, not a leak.
  setMaxListeners(0, controller.signal);
  return { controller, release: () => callerSignal?.removeEventListener("abort", onCallerAbort) };
}
