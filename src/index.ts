export { ERROR_CODES, type ErrorCode, TrawlError, UsageError } from "./errors.js";
export { type AttemptEvent, DEFAULTS, type FrontierOptions, resolveOptions, type TrawlOptions, VERSION } from "./options.js";
export { type ExportJobOptions, type ExportJobResult, exportJob, type JobStatus, jobStatus } from "./crawl/shared/jobs.js";
export type { ExtractedValue, RecordError, TrawlRecord, TypedRecord } from "./record.js";
export type { SelectData, TrawlData } from "./extract/field-types.js";
export type { Recipe, RecipePage } from "./crawl/recipe.js";
export type { RunWarning } from "./options.js";
export { type HostSummary, type LatencySummary, RunStats, type RunSummary, type SlowUrl } from "./stats.js";
export { trawl } from "./trawl.js";
