// W4's server, run as its own process group by server.mjs: a cluster of keep-alive workers (one per core)
// each serving the same bookshop (fixtures/bookshop), generated per request from the seed.
//
//   node server-bookshop.mjs --products N [--per-page 20] [--categories 50] [--seed 1] [--workers N]
//
// Prints {"port":…,"workers":N} on stdout once every worker listens.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";
import { createBookshop } from "../../fixtures/bookshop/index.mjs";

const { values } = parseArgs({
  options: {
    products: { type: "string", default: "10000" },
    "per-page": { type: "string", default: "20" },
    categories: { type: "string", default: "50" },
    seed: { type: "string", default: "1" },
    workers: { type: "string" },
  },
});

if (cluster.isPrimary) {
  const workers = Number(values.workers ?? availableParallelism());
  // Round-robin spreads the long-lived keep-alive connections evenly (as server-node.mjs does).
  cluster.schedulingPolicy = cluster.SCHED_RR;
  let listening = 0;
  let shuttingDown = false;
  cluster.on("listening", (_worker, address) => {
    if (++listening === workers) process.stdout.write(`${JSON.stringify({ port: address.port, workers })}\n`);
  });
  cluster.on("exit", (worker, code, signal) => {
    if (!shuttingDown) {
      console.error(`bookshop server: worker ${worker.process.pid} died (${signal ?? code})`);
      process.exit(1);
    }
  });
  process.on("SIGTERM", () => {
    shuttingDown = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill("SIGKILL");
    process.exit(0);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
} else {
  const shop = createBookshop({
    products: Number(values.products),
    perPage: Number(values["per-page"]),
    categories: Number(values.categories),
    seed: Number(values.seed),
  });
  const server = createServer({ keepAliveTimeout: 60_000, requestTimeout: 0, headersTimeout: 60_000 }, shop.handler);
  server.listen({ host: "127.0.0.1", port: 0, backlog: 4096 });
}
