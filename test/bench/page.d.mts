// Types of page.mjs, for the unit tests that parse the benchmark's page.
/** Target size in bytes of the benchmark page. */
export declare const PAGE_BYTES: number;
/** The deterministic ~20 KB benchmark article page. */
export declare function buildPage(): string;
/** The full C1 site's page count. */
export declare const SITE_PAGES: number;
/** The path of page `n` of a site of `pages` pages; without `n`, the prefix of every page's path. */
export declare function sitePath(pages: number, n?: number | string): string;
/** Page `n` of the C1 tree site. */
export declare function buildSitePage(pages: number, n: number): string;
