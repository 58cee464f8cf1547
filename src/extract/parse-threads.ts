import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { Extraction } from "./select.js";
import type { ExtractRequest, ThreadData } from "./parse-thread.js";
import type { ExtractionPlan } from "./plan.js";

interface Pending {
  resolve: (extraction: Extraction) => void;
  reject: (error: Error) => void;
}

interface Thread {
  worker: Worker;
  pending: Map<number, Pending>;
}

type Reply = { id: number; extraction: Extraction } | { id: number; error: string };

/** How many parse threads a run uses: one per core (the main thread mostly waits on sockets). */
export function parseThreadCount(): number {
  return Math.max(1, Math.min(8, availableParallelism()));
}

/**
 * A small fixed pool of worker threads that extract pages off the main thread. Each page goes to
 * the thread with the fewest pages waiting; bodies are moved, not copied, where they can be.
 */
export class ExtractWorkers {
  private readonly threads: Thread[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    private readonly plans: readonly ExtractionPlan[],
    private readonly size: number = parseThreadCount(),
  ) {}

  private spawn(): Thread {
    const workerData: ThreadData = { plans: [...this.plans] };
    const worker = new Worker(new URL("./parse-thread.js", import.meta.url), { workerData });
    const thread: Thread = { worker, pending: new Map() };
    worker.on("message", (reply: Reply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if ("error" in reply) pending.reject(new Error(`extraction failed: ${reply.error}`));
      else pending.resolve(reply.extraction);
    });
    // A thread that dies takes its pages with it; the next page starts a fresh one.
    const fail = (error: Error) => {
      for (const pending of thread.pending.values()) pending.reject(error);
      thread.pending.clear();
      const index = this.threads.indexOf(thread);
      if (index !== -1) this.threads.splice(index, 1);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`parse thread exited with code ${code}`)));
    // Idle threads must not keep a finished program alive.
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private pick(): Thread {
    let best: Thread | undefined;
    for (const thread of this.threads) if (!best || thread.pending.size < best.pending.size) best = thread;
    // Threads start lazily: a run that meets no HTML never pays for them.
    if (this.threads.length < this.size && (!best || best.pending.size > 0)) return this.spawn();
    return best ?? this.spawn();
  }

  /** Decodes and extracts one page on a parse thread, with plan number `plan` of those the pool was made with. */
  extract(body: Buffer, contentType: string | null, finalUrl: string, plan = 0): Promise<Extraction> {
    if (this.closed) return Promise.reject(new Error("the parse threads are closed"));
    const thread = this.pick();
    const id = this.nextId++;
    // Move the bytes when the buffer is the page's alone; a slice of a shared buffer is copied first.
    const owned = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : Buffer.from(body);
    const request: ExtractRequest = { id, body: owned, contentType, finalUrl, plan };
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.ref();
      thread.worker.postMessage(request, [owned.buffer as ArrayBuffer]);
    }).finally(() => {
      if (thread.pending.size === 0) thread.worker.unref();
    }) as Promise<Extraction>;
  }

  /** Stops every thread. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}
