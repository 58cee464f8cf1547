import { getDomain } from "tldts";
import type { Scope } from "./scopes.js";

/**
 * The registrable domain ("eTLD+1") by the Public Suffix List (tldts ships it): `a.b.example.co.uk`
 * → `example.co.uk`, so `github.io` sites or `co.uk` neighbours never count as one domain.
 * IP addresses and names with no public suffix stand for themselves.
 */
function registrableDomain(hostname: string): string {
  return getDomain(hostname, { allowPrivateDomains: true }) ?? hostname;
}

/** Whether `link` is within `scope` of the crawl's `seed` page (both absolute URLs). */
export function inScope(link: URL, seed: URL, scope: Scope): boolean {
  switch (scope) {
    case "any":
      return true;
    case "origin":
      return link.origin === seed.origin;
    case "host":
      return link.hostname === seed.hostname;
    case "domain":
      return registrableDomain(link.hostname) === registrableDomain(seed.hostname);
  }
}
