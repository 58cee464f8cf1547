import type { Extraction } from "./select.js";
import type { SelectField } from "./fields.js";
import { quickTitleOf } from "./title-byte-scan.js";

/** Turns one HTML body into its title and data. */
export interface Extractor {
  extract(body: Buffer, contentType: string | null, finalUrl: string): Extraction | Promise<Extraction>;
  close(): Promise<void>;
}

/**
 * Chooses how a run extracts. Without `--select` fields only the title is needed: the byte scan
 * reads it on the main thread without a DOM, or a tokenizer pass that stops at `</title>` when the
 * scan cannot tell (cheerio is never loaded).
 * With fields, cheerio parses each page once on parse threads (one per core), so parsing overlaps
 * fetching; the selectors are validated here, before the first request.
 */
export async function createExtractor(fields: readonly SelectField[]): Promise<Extractor> {
  if (fields.length === 0) {
    // The tokenizer (htmlparser2, with its DOM helpers) is loaded the first time a page needs it.
    let tokenizer: Promise<typeof import("./title-scan.js")> | null = null;
    return {
      extract: (body, contentType) => {
        const title = quickTitleOf(body, contentType);
        if (title !== undefined) return { title, data: {} };
        tokenizer ??= import("./title-scan.js");
        return tokenizer.then(({ scanTitleInBytes }) => ({ title: scanTitleInBytes(body, contentType), data: {} }));
      },
      close: async () => undefined,
    };
  }
  const [{ validateSelectors }, { ExtractWorkers }] = await Promise.all([import("./validate-selectors.js"), import("./parse-threads.js")]);
  validateSelectors(fields);
  const workers = new ExtractWorkers(fields);
  return { extract: (body, contentType, finalUrl) => workers.extract(body, contentType, finalUrl), close: () => workers.close() };
}
