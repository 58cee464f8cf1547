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
