import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // test/bench holds the benchmark (npm run bench), not tests.
    include: ["test/**/*.test.ts"],
    // The end-to-end tests start real processes and servers on a loaded 2-core machine: a whole CLI
    // run there takes seconds, not the milliseconds vitest's 5 s default is made for. A test that
    // needs longer still says so itself, with the reason.
    testTimeout: 20_000,
    // Some files make their one shared CLI run in beforeAll, over a dozen misbehaving servers.
    hookTimeout: 30_000,
  },
});
