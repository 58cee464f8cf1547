import type { TrawlOptions } from "../options.js";

/**
 * `--cache`: the file is checked before the output is opened (and, without --resume, emptied), so a
 * wrong file stops the run with nothing touched. The cache's modules load only when it is given.
 */
export async function checkCacheOption(options: TrawlOptions): Promise<void> {
  if (options.cache === undefined) return;
  const { checkCacheFile } = await import("../cache/probe.js");
  checkCacheFile(options.cache);
}
