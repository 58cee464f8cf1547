import path from "node:path";
import { UsageError } from "../errors.js";
import type { TrawlOptions } from "../options.js";

/**
 * `--cache`: the file is checked before the output is opened (and, without --resume, emptied), so a
 * wrong file stops the run with nothing touched. The cache's modules load only when it is given.
 */
export async function checkCacheOption(options: TrawlOptions, output: string | undefined): Promise<void> {
  if (options.cache === undefined) return;
  if (output !== undefined && path.resolve(output) === path.resolve(options.cache)) {
    throw new UsageError(`--cache and --output name the same file (${output}): the cache needs a file of its own`);
  }
  const { checkCacheFile } = await import("../cache/probe.js");
  checkCacheFile(options.cache);
}
