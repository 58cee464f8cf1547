import type { Extraction } from "./extract.js";
import type { SelectField } from "./selectors.js";
import { scanTitleInBytes } from "./title-scan.js";

/** Turns one HTML body into its title and data. */
export interface Extractor {
  extract(body: Buffer, contentType: string | null, finalUrl: string): Extraction | Promise<Extraction>;
  close(): Promise<void>;
}

/**
 * Chooses how a run extracts. Without `--select` fields only the title is needed, and a tokenizer
 * pass that stops at `</title>` does it on the main thread without a DOM (cheerio is never loaded).
 * With fields, cheerio parses each page once on parse threads (one per core), so parsing overlaps
 * fetching; the selectors are validated here, before the first request.
 */
export async function createExtractor(fields: readonly SelectField[]): Promise<Extractor> {
  if (fields.length === 0) {
    return {
      extract: (body, contentType) => ({ title: scanTitleInBytes(body, contentType), data: {} }),
      close: async () => undefined,
    };
  }
  const [{ validateSelectors }, { ExtractWorkers }] = await Promise.all([import("./extract.js"), import("./extract-workers.js")]);
  validateSelectors(fields);
  const workers = new ExtractWorkers(fields);
  return { extract: (body, contentType, finalUrl) => workers.extract(body, contentType, finalUrl), close: () => workers.close() };
}
