/**
 * A parse thread: decodes and extracts pages sent by `ExtractWorkers`, so that parsing (the costly
 * part of a run) uses the other cores while the main thread keeps fetching.
 */
import { parentPort, workerData } from "node:worker_threads";
import { extract } from "./select.js";
import { decodeText } from "./charset.js";
import type { SelectField } from "./fields.js";

/** A page to extract, as posted by the main thread. */
export interface ExtractRequest {
  id: number;
  body: Uint8Array;
  contentType: string | null;
  finalUrl: string;
}

const fields = (workerData as { fields: SelectField[] }).fields;

parentPort?.on("message", (request: ExtractRequest) => {
  try {
    const { title, data } = extract(decodeText(request.body, request.contentType), request.finalUrl, fields);
    parentPort?.postMessage({ id: request.id, title, data });
  } catch (error) {
    parentPort?.postMessage({ id: request.id, error: (error as Error)?.message ?? String(error) });
  }
});
