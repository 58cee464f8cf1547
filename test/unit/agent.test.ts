import * as undici from "undici";
import { describe, expect, it } from "vitest";
import { createDispatcher, dispatcherClasses } from "../../src/http/agent.js";

// agent.ts loads undici's dispatchers from their own files to skip the rest of undici at start-up.
// undici has no exports map to promise those paths: this is where a moved file would show.
describe("the undici dispatchers trawl loads by path", () => {
  it("are the classes undici exports", () => {
    expect(dispatcherClasses.loadAgent()).toBe(undici.Agent);
    expect(dispatcherClasses.loadProxyAgent()).toBe(undici.ProxyAgent);
    expect(dispatcherClasses.loadEnvHttpProxyAgent()).toBe(undici.EnvHttpProxyAgent);
  });

  it("are the ones createDispatcher builds", async () => {
    const base = { insecure: false, timeoutMs: 1000, perHostConcurrency: 4 };
    const plain = createDispatcher({ ...base, proxy: undefined }, {});
    const proxied = createDispatcher({ ...base, proxy: "http://127.0.0.1:9" }, {});
    const fromEnvironment = createDispatcher({ ...base, proxy: undefined }, { HTTP_PROXY: "http://127.0.0.1:9" });
    expect(plain).toBeInstanceOf(undici.Agent);
    expect(proxied).toBeInstanceOf(undici.ProxyAgent);
    expect(fromEnvironment).toBeInstanceOf(undici.EnvHttpProxyAgent);
    await Promise.all([plain.destroy(), proxied.destroy(), fromEnvironment.destroy()]);
  });
});
