/**
 * A private `redis-server` for tests: its own free port on 127.0.0.1 and its own temporary data
 * folder, never the default port 6379 nor a system service. It can be stopped and started again on
 * the same port and data (restart tests), killed with SIGKILL, or frozen with SIGSTOP.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net, { type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export interface RedisServerOptions {
  /** Keep an append-only file, so a restarted server has every acknowledged write. @default false */
  appendOnly?: boolean;
  /** `appendfsync` policy; "always" acknowledges a write only once it is on disk. @default "always" */
  appendFsync?: "always" | "everysec" | "no";
  /** Extra `--name value` arguments for redis-server. @default [] */
  args?: string[];
}

export interface RedisTestServer {
  /** `redis://127.0.0.1:<port>/0` */
  url: string;
  port: number;
  /** The server's data folder (removed by `stop()`). */
  dir: string;
  /** Stops the server (SIGTERM, so it flushes its append-only file) and keeps the data. */
  shutdown(): Promise<void>;
  /** Starts it again on the same port and data folder; waits until it answers PING. */
  start(): Promise<void>;
  /** SIGKILL, as a crash: only what reached the append-only file survives. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: the server holds its connections open but answers nothing. */
  pause(): void;
  resume(): void;
  /** Stops the server and removes its data folder. */
  stop(): Promise<void>;
}

/** A port nobody listens on now: the kernel picks it for a throwaway listener. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** One PING over a raw socket: true on `+PONG`, false on anything else (refused, LOADING, silence). */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    let reply = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.on("error", () => done(false));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      reply += chunk.toString("latin1");
      if (reply.includes("\r\n")) done(reply.startsWith("+PONG"));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts a private redis-server and waits until it answers PING. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisTestServer> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "trawl-redis-"));
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--appendonly",
    options.appendOnly ? "yes" : "no",
    "--appendfsync",
    options.appendFsync ?? "always",
    "--daemonize",
    "no",
    "--logfile",
    "",
    "--loglevel",
    "warning",
    ...(options.args ?? []),
  ];
  let child: ChildProcess | undefined;
  let log = "";

  const start = async (): Promise<void> => {
    log = "";
    const started = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    child = started;
    started.stdout?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    started.stderr?.on("data", (chunk: Buffer) => {
      log += chunk.toString();
    });
    const spawnError = new Promise<never>((_, reject) =>
      started.once("error", (error) =>
        reject(new Error(`cannot start redis-server (${error.message}): install Redis 7, e.g. apt-get install redis-server`)),
      ),
    );
    spawnError.catch(() => {});
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) throw new Error(`redis-server exited with ${started.exitCode}: ${log}`);
      if (await Promise.race([ping(port), spawnError])) return;
      await sleep(20);
    }
    started.kill("SIGKILL");
    throw new Error(`redis-server on port ${port} did not answer PING within 10 s: ${log}`);
  };

  const signal = async (name: NodeJS.Signals): Promise<void> => {
    const running = child;
    if (!running) return;
    child = undefined;
    running.kill("SIGCONT");
    running.kill(name);
    await exited(running);
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    dir,
    start,
    shutdown: () => signal("SIGTERM"),
    kill: () => signal("SIGKILL"),
    pause: () => child?.kill("SIGSTOP"),
    resume: () => child?.kill("SIGCONT"),
    async stop() {
      await signal("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
