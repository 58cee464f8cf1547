// Starts the bench's local HTTP server on 127.0.0.1: nginx when it is on PATH (it serves this page several
// times faster than Node), else the Node cluster of server-node.mjs. Either way the server runs in its own
// process group, so that stop() can kill it whole and cpuSeconds() can charge it its own CPU time.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { gzipSync } from "node:zlib";
import { buildPage } from "./page.mjs";

const HERE = import.meta.dirname;
const TICKS_PER_SECOND = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

/** Total CPU seconds (user + system) of every live process in a process group, read from /proc. */
export function groupCpuSeconds(processGroup) {
  let ticks = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // The command name (field 2) may hold spaces or parentheses: split after its closing one.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // Fields from 3 on: state=0 ppid=1 pgrp=2 … utime=11 stime=12 (proc(5), minus two).
    if (Number(fields[2]) === processGroup) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** Kills a process group: SIGTERM, then SIGKILL for whatever is left after a short grace. */
export async function killGroup(child, graceMs = 1500) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {}
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** For process "exit" handlers, where nothing asynchronous runs any more. */
export function killGroupNow(child) {
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {}
}

async function freePort() {
  const probe = createServer();
  await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function onPath(command) {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).stdout.trim() || null;
}

/** Starts a cluster script of ours that prints {port, workers} once it listens. */
async function startCluster(script, args) {
  const child = spawn(process.execPath, [join(HERE, script), ...args], {
    detached: true,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const first = await Promise.race([
    once(lines, "line").then(([line]) => JSON.parse(line)),
    once(child, "exit").then(([code]) => {
      throw new Error(`bench server exited early (${code})`);
    }),
  ]);
  lines.close();
  return { child, port: first.port, workers: first.workers };
}

const startNodeCluster = (workers) => startCluster("server-node.mjs", workers ? ["--workers", String(workers)] : []);

/**
 * W4's bookshop (fixtures/bookshop) in a Node cluster of its own: {kind, origin, cpuSeconds(), stop()}.
 * @param {{ products: number, perPage: number, categories: number, seed: number }} shape
 */
export async function startBookshopServer({ products, perPage, categories, seed }) {
  const args = ["--products", products, "--per-page", perPage, "--categories", categories, "--seed", seed].map(String);
  const { child, port, workers } = await startCluster("server-bookshop.mjs", args);
  return {
    kind: `bookshop node cluster (${workers} workers)`,
    origin: `http://127.0.0.1:${port}`,
    cpuSeconds: () => groupCpuSeconds(child.pid),
    children: [child],
    stop: () => killGroup(child),
  };
}

/**
 * nginx for the plain and gzip routes; /delay/ goes to a one-worker Node server behind it, since stock
 * nginx has no delay directive and that route is latency-bound, not throughput-bound. C1's /site/ pages
 * are generated per request, so they go to that Node server too (its CPU is charged to the server).
 */
async function startNginx(nginx, page) {
  const delayServer = await startNodeCluster(1);
  const dir = mkdtempSync(join(tmpdir(), "trawl-bench-nginx-"));
  process.on("exit", () => rmSync(dir, { recursive: true, force: true }));
  // nginx workers may run as `nobody` when started as root; they must be able to read the page.
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "page.html"), page, { mode: 0o644 });
  writeFileSync(join(dir, "page.html.gz"), gzipSync(page), { mode: 0o644 });
  const port = await freePort();
  const config = `
worker_processes auto;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; multi_accept on; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  sendfile on; tcp_nopush on; tcp_nodelay on;
  open_file_cache max=16;
  keepalive_timeout 60s; keepalive_requests 10000000;
  default_type text/html;
  charset utf-8;
  upstream delay { server 127.0.0.1:${delayServer.port}; keepalive 256; }
  server {
    listen 127.0.0.1:${port} backlog=4096;
    root ${dir};
    location /delay/ {
      proxy_pass http://delay; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off;
    }
    # C1's crawl site: generated by the Node server (the catch-all below would serve the bench page).
    location /site/ {
      proxy_pass http://delay; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_buffering off;
    }
    # gzip_static always: send the pre-compressed file whatever the client's Accept-Encoding says,
    # as the Node server does on /gz/.
    location /gz/ { gzip_static always; try_files /page.html =500; }
    location / { try_files /page.html =500; }
  }
}
`;
  writeFileSync(join(dir, "nginx.conf"), config);
  // -e: the compiled-in error log (/var/log/nginx) is opened before the config is read, and may not be writable.
  const child = spawn(nginx, ["-p", dir, "-e", join(dir, "error.log"), "-c", join(dir, "nginx.conf")], {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
  });
  // nginx gives no ready signal in the foreground: poll until the port answers.
  const deadline = Date.now() + 5000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited early (${child.exitCode}); see ${dir}/error.log`);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/p/0`);
      await response.arrayBuffer();
      if (response.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`nginx did not answer on port ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, port, dir, delayServer };
}

/**
 * Starts the server and returns {kind, port, origin, cpuSeconds(), stop()}. `prefer: "node"` skips nginx.
 */
export async function startServer({ prefer } = {}) {
  const page = buildPage();
  const nginx = prefer === "node" ? null : onPath("nginx");
  if (nginx) {
    const { child, port, delayServer } = await startNginx(nginx, page);
    return {
      kind: `nginx (${nginx}, delay and site routes via Node)`,
      port,
      origin: `http://127.0.0.1:${port}`,
      pageBytes: Buffer.byteLength(page),
      cpuSeconds: () => groupCpuSeconds(child.pid) + groupCpuSeconds(delayServer.child.pid),
      children: [child, delayServer.child],
      async stop() {
        await Promise.all([killGroup(child), killGroup(delayServer.child)]);
      },
    };
  }
  const { child, port, workers } = await startNodeCluster();
  return {
    kind: `node cluster (${workers} workers)`,
    port,
    origin: `http://127.0.0.1:${port}`,
    pageBytes: Buffer.byteLength(page),
    cpuSeconds: () => groupCpuSeconds(child.pid),
    children: [child],
    stop: () => killGroup(child),
  };
}
