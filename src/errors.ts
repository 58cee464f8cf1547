/**
 * The failure vocabulary of trawl. Every per-URL failure ends up as one of these stable codes
 * (SPEC §4); messages may change between versions, codes may not. This is the one module that
 * reads undici's and Node's own error codes.
 */

/** Stable machine codes carried by `record.error.code`. */
export const ERROR_CODES = [
  "EINVALIDURL",
  "ETIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETLS",
  "ETOOMANYREDIRECTS",
  "EBODYTOOLARGE",
  "EHTTP",
  "EROBOTS",
  "EABORTED",
  "EPROTOCOL",
  "EFRAGMENT",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * A per-URL failure with its stable code, turned into a record value. It carries no stack trace: a
 * record shows only the code and message, and capturing a stack costs ~17 µs, more than the rest of
 * a fast URL's bookkeeping, on a run where most URLs fail (a list of dead links, a host answering 404).
 */
export class TrawlError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = "TrawlError";
    this.code = code;
  }
}

/**
 * A bad option or input source: the CLI prints its message on one line and exits 2. The library
 * names options by their `TrawlOptions` path (`select.title`, `crawl.include`) in `option` and at
 * the head of the message; the CLI swaps that head for the flag the user typed (`cli/option-flags.ts`).
 */
export class UsageError extends Error {
  /** The `TrawlOptions` path of the option at fault, when one is (`concurrency`, `select.price`). */
  readonly option: string | undefined;
  /** For a value of the wrong kind: what was expected (`an integer >= 1`) and what was given. */
  readonly expected: string | undefined;
  readonly got: string | undefined;
  /** Why the value failed, when the expectation alone does not say (a regex's own error). */
  readonly detail: string | undefined;
  constructor(message: string, options?: { option?: string; expected?: string; got?: string; detail?: string }) {
    super(message);
    this.name = "UsageError";
    this.option = options?.option;
    this.expected = options?.expected;
    this.got = options?.got;
    this.detail = options?.detail;
  }
}

/** A UsageError about one option: "<option> <problem>", with the option kept for the CLI to rename. */
export function optionError(option: string, problem: string): UsageError {
  return new UsageError(`${option} ${problem}`, { option });
}

/** A value of the wrong kind: "<option> must be <expected>, got `<got>` (<detail>)". */
export function invalidOption(option: string, expected: string, got: unknown, detail?: string): UsageError {
  const given = String(got);
  const message = `${option} must be ${expected}, got \`${given}\`${detail === undefined ? "" : ` (${detail})`}`;
  return new UsageError(message, { option, expected, got: given, ...(detail === undefined ? {} : { detail }) });
}

// Node's TLS verification codes (tls.TLSSocket#authorizationError and OpenSSL's X509 errors).
const TLS_CODES = new Set([
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_TLS_HANDSHAKE_TIMEOUT",
  "EPROTO",
]);

// Everything that means "the peer did not speak valid HTTP" (undici's llhttp errors are HPE_*).
const PROTOCOL_CODES = new Set([
  "UND_ERR_HEADERS_OVERFLOW",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_EXCEEDED_MAX_SIZE",
  "UND_ERR_INFO",
  "Z_DATA_ERROR",
  "Z_BUF_ERROR",
  "Z_NEED_DICT",
  "ERR_PADDING_1",
  "ERR__ERROR_FORMAT_PADDING_1",
  "ERR_BROTLI_DECOMPRESSION_FAILED",
]);

/** Walks an error and its causes, yielding each `code` string found. */
function* codesOf(error: unknown): Generator<string> {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Object; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") yield code;
    // AggregateError (happy eyeballs over several addresses) keeps the real causes in `errors`.
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors[0]) yield* codesOf(errors[0]);
    current = (current as { cause?: unknown }).cause;
  }
}

/**
 * Maps any error thrown while fetching to one of trawl's codes. Abort and timeout reasons are
 * decided by the caller (it knows which signal fired); this handles what the network said.
 * `during` tells where the exchange was: a clean close (FIN, undici's "other side closed") before
 * the headers is a dropped connection, worth a retry (the keep-alive race, curl's "empty reply");
 * the same close inside the body cuts a message its framing promised: broken framing, EPROTOCOL.
 */
export function toErrorCode(error: unknown, during: "headers" | "body" = "headers"): ErrorCode {
  if (error instanceof TrawlError) return error.code;
  if (isUnexpectedResponse(error)) return "EPROTOCOL";
  const codes = [...codesOf(error)];
  if (during === "body" && codes.includes("UND_ERR_SOCKET") && !codes.includes("ECONNRESET")) return "EPROTOCOL";
  for (const code of codes) {
    if (code === "ECONNREFUSED") return "ECONNREFUSED";
    if (code === "ENOTFOUND" || code === "EAI_AGAIN" || code === "EAI_NONAME" || code === "EAI_FAIL") return "ENOTFOUND";
    if (code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_SOCKET" || code === "ECONNABORTED") return "ECONNRESET";
    if (code === "ETIMEDOUT" || (code.endsWith("_TIMEOUT") && code.startsWith("UND_ERR_"))) return "ETIMEOUT";
    if (TLS_CODES.has(code) || code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_")) return "ETLS";
    if (code.startsWith("HPE_") || PROTOCOL_CODES.has(code)) return "EPROTOCOL";
    if (code === "UND_ERR_ABORTED" || code === "ABORT_ERR") return "EABORTED";
    if (code === "EHOSTUNREACH" || code === "ENETUNREACH" || code === "EADDRNOTAVAIL") return "ECONNREFUSED";
  }
  return "EPROTOCOL";
}

/**
 * undici's HTTP/1.1 client closes the connection with a SocketError "bad response" (or "bad upgrade")
 * when the server sends a response it did not ask for: a `100 Continue` to a request without
 * `Expect: 100-continue`, a 101 switch, or bytes while no request is waiting. That is the server
 * breaking the exchange, not the network: EPROTOCOL, and not worth a retry.
 */
function isUnexpectedResponse(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { message } = error;
  return (error as { code?: unknown }).code === "UND_ERR_SOCKET" && (message === "bad response" || message === "bad upgrade");
}

/** A short human message for an error, without stack or undici's internal prefixes. */
export function messageOf(error: unknown): string {
  if (isUnexpectedResponse(error)) {
    return "the server sent a response that was not asked for (an unsolicited 100 Continue, a protocol switch, or bytes between responses)";
  }
  if (error instanceof Error) {
    const cause = error.cause instanceof Error && error.message === "fetch failed" ? error.cause : error;
    return cause.message || cause.name;
  }
  return String(error);
}
