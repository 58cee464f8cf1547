import { createRequire } from "node:module";
import type {
  Agent as AgentClass,
  Client as ClientClass,
  EnvHttpProxyAgent as EnvHttpProxyAgentClass,
  Pool as PoolClass,
  ProxyAgent as ProxyAgentClass,
} from "undici";
import { OriginDispatchers, type RunDispatcher } from "./origin-dispatchers.js";

// undici's index loads all of it (fetch, WebSocket, cookies, caches, mocks): ~80 ms before the first
// request of every run. A run needs its dispatchers only, so they are loaded from their own files,
// the proxy ones only when a proxy is in use. undici has no exports map; test/unit/agent.test.ts
// checks that these are the very classes undici exports.
const require = createRequire(import.meta.url);
const loadProxyAgent = () => require("undici/lib/dispatcher/proxy-agent.js") as typeof ProxyAgentClass;
const loadEnvHttpProxyAgent = () => require("undici/lib/dispatcher/env-http-proxy-agent.js") as typeof EnvHttpProxyAgentClass;
const loadPool = () => require("undici/lib/dispatcher/pool.js") as typeof PoolClass;
const loadClient = () => require("undici/lib/dispatcher/client.js") as typeof ClientClass;

/** What the dispatcher needs to know; one dispatcher is made per run and passed down. */
export interface AgentSettings {
  proxy: string | undefined;
  insecure: boolean;
  timeoutMs: number;
  perHostConcurrency: number;
}

// Our own per-attempt timer covers connect, headers and body (SPEC §2), so undici's separate
// header and body timers are switched off (0). Each would be one more timer object per request,
// and undici keeps its coarse timers alive for up to a second after they are cleared: at thousands
// of requests a second they outlive the young generation and fill the old one.
function agentOptions(settings: AgentSettings): AgentClass.Options & PoolClass.Options {
  return {
    connect: { rejectUnauthorized: !settings.insecure, timeout: settings.timeoutMs },
    headersTimeout: 0,
    bodyTimeout: 0,
    // Keep idle sockets a little longer than undici's 4 s so that slow lists still reuse them.
    keepAliveTimeout: 10_000,
    // No more sockets to an origin than requests we allow to it: a request queues for a socket
    // that is about to be free rather than opening another (keep-alive reuse, SPEC §2).
    connections: settings.perHostConcurrency,
  };
}

function hasProxyEnvironment(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.http_proxy || env.HTTP_PROXY || env.https_proxy || env.HTTPS_PROXY);
}

/**
 * Builds the undici dispatcher for a run: keep-alive connection reuse across URLs of one origin,
 * an explicit proxy or the proxy environment variables, and optionally no TLS verification.
 */
export function createDispatcher(settings: AgentSettings, env: NodeJS.ProcessEnv = process.env): RunDispatcher {
  const options = agentOptions(settings);
  const tls = { rejectUnauthorized: !settings.insecure };
  // http:// URLs go to the proxy in absolute form, as curl does; https:// ones through CONNECT.
  const proxyTunnel = false;
  if (settings.proxy) {
    // Through a proxy every host shares the proxy's connections: a per-origin cap would throttle them all.
    const { connect: _connect, connections: _connections, ...rest } = options;
    const ProxyAgent = loadProxyAgent();
    return new ProxyAgent({ ...rest, uri: settings.proxy, requestTls: tls, proxyTls: tls, proxyTunnel });
  }
  if (hasProxyEnvironment(env)) {
    const { connections: _connections, ...rest } = options;
    const EnvHttpProxyAgent = loadEnvHttpProxyAgent();
    return new EnvHttpProxyAgent({ ...rest, requestTls: tls, proxyTls: tls, proxyTunnel } as EnvHttpProxyAgentClass.Options);
  }
  // One Pool per origin (a Client when it may have one connection only, as undici's Agent does).
  const Pool = loadPool();
  const Client = loadClient();
  return new OriginDispatchers((origin) => (options.connections === 1 ? new Client(origin, options) : new Pool(origin, options)));
}

/** The dispatcher classes as loaded above, so a test can hold them against undici's exports. */
export const dispatcherClasses = { loadProxyAgent, loadEnvHttpProxyAgent, loadPool, loadClient };
