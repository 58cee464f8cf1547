import { type ExtractionPlan, isEmptyPlan } from "./plan.js";
import type { Extraction } from "./select.js";
import { quickTitleOf } from "./title-byte-scan.js";

/** Turns one HTML body into its title, data and links. */
export interface Extractor {
  /**
   * Extracts one HTML body with plan number `plan` (an index into the plans the extractor was made
   * with; 0, the only one, by default). The body may be moved to a parse thread: read everything
   * else you need of it (its length) before.
   */
  extract(body: Buffer, contentType: string | null, finalUrl: string, plan?: number): Extraction | Promise<Extraction>;
  close(): Promise<void>;
}

const isEmpty = (plan: ExtractionPlan | undefined): boolean => plan === undefined || isEmptyPlan(plan);

/** The title alone: the byte scan on the main thread, or a tokenizer pass that stops at `</title>` when the scan cannot tell. */
function titleOnly(): (body: Buffer, contentType: string | null) => Extraction | Promise<Extraction> {
  // The tokenizer (htmlparser2, with its DOM helpers) is loaded the first time a page needs it.
  let tokenizer: Promise<typeof import("./title-scan.js")> | null = null;
  return (body, contentType) => {
    const title = quickTitleOf(body, contentType);
    if (title !== undefined) return { title, data: {} };
    tokenizer ??= import("./title-scan.js");
    return tokenizer.then(({ scanTitleInBytes }) => ({ title: scanTitleInBytes(body, contentType), data: {} }));
  };
}

/**
 * Chooses how a run extracts, per plan (one per kind of page; a plain run has one). A plan with no
 * fields and no links needs only the title, read without a DOM (cheerio is never loaded). Other
 * plans parse each page once on parse threads (one per core), so parsing overlaps fetching; their
 * selectors are checked here, before the first request, naming the option at fault (a UsageError).
 */
export async function createExtractor(plans: ExtractionPlan | readonly ExtractionPlan[]): Promise<Extractor> {
  const list: readonly ExtractionPlan[] = "fields" in plans ? [plans] : plans;
  const title = titleOnly();
  if (list.every(isEmpty)) return { extract: (body, contentType) => title(body, contentType), close: async () => undefined };
  const [{ validatePlan }, { ExtractWorkers }] = await Promise.all([import("./validate-selectors.js"), import("./parse-threads.js")]);
  for (const plan of list) validatePlan(plan);
  const workers = new ExtractWorkers(list);
  return {
    extract: (body, contentType, finalUrl, plan = 0) =>
      isEmpty(list[plan]) ? title(body, contentType) : workers.extract(body, contentType, finalUrl, plan),
    close: () => workers.close(),
  };
}
