/** Entries not seen for this long are dropped (SPEC §10: 30 days unless the caller says otherwise). */
export const DEFAULT_CACHE_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
