import { UsageError } from "../errors.js";

/** How far a crawl may wander from the page it started at (SPEC §6). */
export const SCOPES = ["origin", "host", "domain", "any"] as const;
export type Scope = (typeof SCOPES)[number];

/** Validates a scope name, naming the option. */
export function parseScope(text: string): Scope {
  if (!(SCOPES as readonly string[]).includes(text)) {
    throw new UsageError(`--scope must be one of ${SCOPES.join(", ")}, got \`${text}\``);
  }
  return text as Scope;
}
