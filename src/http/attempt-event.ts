import type { ErrorCode } from "../errors.js";

/** An event the library reports while it works, for progress and `--verbose` (the CLI draws them). */
export interface AttemptEvent {
  /** The URL as requested in this attempt (after any redirects followed so far). */
  url: string;
  /** 1-based attempt number for this input URL. */
  attempt: number;
  /** HTTP status of this attempt, or null when it failed before a response. */
  status: number | null;
  /** The error code of this attempt, or null when it succeeded. */
  code: ErrorCode | null;
  /** Duration of this attempt in milliseconds. */
  ms: number;
  /** Wait before the next attempt in milliseconds, or null when no retry follows. */
  retryInMs: number | null;
}
