import { invalidOption } from "../errors.js";

/** `accept` (SPEC §9): statuses (`403`) and inclusive ranges (`[200, 299]`) that count as ok. */
export type AcceptOption = readonly (number | readonly [number, number])[];

/** The statuses a record is ok with by default (SPEC §4). */
export const DEFAULT_ACCEPT: AcceptOption = [[200, 299]];

const isStatus = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 100 && (value as number) <= 599;

/**
 * Checks `accept` and turns it into a lookup: one byte per status 100-599, so the verdict on each
 * record is an index. A status outside that range (which no HTTP server sends) is never accepted.
 */
export function resolveAccept(accept: AcceptOption | undefined): (status: number) => boolean {
  const entries = accept ?? DEFAULT_ACCEPT;
  if (!Array.isArray(entries) || entries.length === 0) {
    throw invalidOption("accept", "a list of statuses and [from, to] ranges (100-599)", JSON.stringify(accept));
  }
  const table = new Uint8Array(600);
  for (const entry of entries) {
    const [from, to] = Array.isArray(entry) ? entry : [entry, entry];
    if (!isStatus(from) || !isStatus(to) || from > to || (Array.isArray(entry) && entry.length !== 2)) {
      throw invalidOption("accept", "a list of statuses and [from, to] ranges (100-599)", JSON.stringify(entry));
    }
    table.fill(1, from, to + 1);
  }
  return (status) => table[status] === 1;
}
