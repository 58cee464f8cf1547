/** How far a crawl may wander from the page it started at (SPEC §6). */
export const SCOPES = ["origin", "host", "domain", "any"] as const;
export type Scope = (typeof SCOPES)[number];
