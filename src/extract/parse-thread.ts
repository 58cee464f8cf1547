/**
 * A parse thread: decodes and extracts pages sent by `ExtractWorkers`, so that parsing (the costly
 * part of a run) uses the other cores while the main thread keeps fetching.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeText } from "./charset.js";
import type { ExtractionPlan } from "./plan.js";
import { extract } from "./select.js";

/** A page to extract, as posted by the main thread. */
export interface ExtractRequest {
  id: number;
  body: Uint8Array;
  contentType: string | null;
  finalUrl: string;
  /** Which of the thread's plans to extract with (an index into `workerData.plans`). */
  plan: number;
}

/** What a thread starts with. */
export interface ThreadData {
  plans: ExtractionPlan[];
}

const { plans } = workerData as ThreadData;

parentPort?.on("message", (request: ExtractRequest) => {
  try {
    const plan = plans[request.plan];
    if (!plan) throw new Error(`no extraction plan ${request.plan}`);
    const extraction = extract(decodeText(request.body, request.contentType), request.finalUrl, plan);
    parentPort?.postMessage({ id: request.id, extraction });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: (error as Error)?.message ?? String(error) });
  }
});
