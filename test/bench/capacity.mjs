// Load generator for the server-capacity check, run as a child process: `connections` keep-alive loops
// against one origin for a fixed time, each reading whole bodies (as the floors do). Several of these run
// at once, so that the figure is the server's limit rather than one client thread's.
//
//   node capacity.mjs --origin http://127.0.0.1:PORT --connections 32 --seconds 3
//
// Prints {"requests":…,"seconds":…} on stdout.
import { parseArgs } from "node:util";
import { Pool } from "undici";

const { values } = parseArgs({
  options: {
    origin: { type: "string" },
    connections: { type: "string", default: "64" },
    seconds: { type: "string", default: "3" },
  },
});
const connections = Number(values.connections);
const pool = new Pool(values.origin, { connections });
const started = performance.now();
const deadline = started + Number(values.seconds) * 1000;
let requests = 0;

async function loop(id) {
  for (let i = 0; performance.now() < deadline; i++) {
    const { body } = await pool.request({ path: `/p/${id}-${i}`, method: "GET" });
    await body.arrayBuffer();
    requests++;
  }
}

await Promise.all(Array.from({ length: connections }, (_, id) => loop(id)));
const seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify({ requests, seconds })}\n`);
process.exit(0);
