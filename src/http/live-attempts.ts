import { TrawlError } from "../errors.js";

/** Something in flight that stops when the run does. */
export interface Abortable {
  abort(reason: TrawlError): void;
}

/**
 * The attempts in flight in one run. Stopping the run aborts them all through one listener on the
 * run signal, rather than one AbortController and one listener per attempt (which cost more than
 * the rest of an attempt's bookkeeping on a fast local server).
 */
export class LiveAttempts {
  private readonly live = new Set<Abortable>();

  constructor(readonly signal: AbortSignal) {
    signal.addEventListener(
      "abort",
      () => {
        const reason = new TrawlError("EABORTED", "the run was aborted");
        for (const attempt of this.live) attempt.abort(reason);
        this.live.clear();
      },
      { once: true },
    );
  }

  get aborted(): boolean {
    return this.signal.aborted;
  }

  add(attempt: Abortable): void {
    this.live.add(attempt);
  }

  delete(attempt: Abortable): void {
    this.live.delete(attempt);
  }
}
