/** Every exit status of the CLI (SPEC §5), in one table: `--help` and the README list the same. */
export const EXIT_CODE = {
  /** Every URL ok (or every failure allowed). */
  ok: 0,
  /** At least one URL not ok. */
  failures: 1,
  /** A bad option or value, an unreadable input file: one line on stderr, nothing on stdout. */
  usage: 2,
  /** A bug in trawl (EX_SOFTWARE of sysexits.h): the stack trace is printed; please report it. */
  internal: 70,
  /** Stopped by SIGINT (128 + 2, as shells report it). */
  interrupted: 130,
  /** Stopped by SIGTERM (128 + 15). */
  terminated: 143,
} as const;

/** The exit status for a stopping signal. */
export const SIGNAL_EXIT_CODE = { SIGINT: EXIT_CODE.interrupted, SIGTERM: EXIT_CODE.terminated } as const;

/** The exit-status lines of `--help`. */
export const EXIT_CODE_HELP = `Exit status: ${EXIT_CODE.ok} all ok, ${EXIT_CODE.failures} some URL failed, ${EXIT_CODE.usage} usage error, ${EXIT_CODE.interrupted} interrupted (SIGINT),
${EXIT_CODE.terminated} terminated (SIGTERM), ${EXIT_CODE.internal} internal error (a bug: please report it).`;

/**
 * Listens for SIGINT and SIGTERM while a run or an export works: the first calls `stop` with its
 * exit status (the caller aborts and flushes); a second, of either kind, exits at once. Returns the
 * function that stops listening.
 */
export function onStopSignals(stop: (exitCode: number) => void): () => void {
  let stopping = false;
  const listener = (signal: keyof typeof SIGNAL_EXIT_CODE) => () => {
    if (stopping) process.exit(SIGNAL_EXIT_CODE[signal]);
    stopping = true;
    stop(SIGNAL_EXIT_CODE[signal]);
  };
  const onInterrupt = listener("SIGINT");
  const onTerminate = listener("SIGTERM");
  process.on("SIGINT", onInterrupt);
  process.on("SIGTERM", onTerminate);
  return () => {
    process.off("SIGINT", onInterrupt);
    process.off("SIGTERM", onTerminate);
  };
}
