import { readFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { EXIT_CODE, EXIT_CODE_HELP } from "./exit-code.js";
import type { RawFlags } from "./flags.js";

// Read from package.json so `--version` can never drift from the published version.
const { version } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
  version: string;
};

// Repeatable options collect their values; no default, so help does not print "(default: [])".
/** Commander's own errors (usage, help, version) carry a `commander.*` code and an exit code. */
function isCommanderError(error: unknown): error is { code: string; exitCode: number } {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("commander.");
}

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

const EXAMPLES = `
Examples:
  $ trawl https://example.com/ https://example.org/
  $ trawl -i urls.txt -c 32 -s h1=h1 -s 'links[]=a@href' > records.ndjson
  $ cat urls.txt | trawl -s price=.price -s image=img@src -o products.csv
  $ trawl -i urls.txt --timeout 10s --retries 4 --per-host 4 -o out.json --allow-failures
  $ trawl --crawl --depth 3 --robots --rate 5/s -s h1=h1 https://example.com/
  $ trawl -i urls.txt --shard 2/4 --resume -o part-2.ndjson --summary summary.json
  $ trawl --crawl --cache site.cache -s h1=h1 https://example.com/   # a repeat run costs the 304s
  $ trawl --crawl --check-links --check-fragments --junit links.xml https://example.com/
  $ npx trawl https://example.com/

Records go to stdout (or --output), one JSON object per URL; everything else goes to stderr.
Patterns (--include, --exclude) are tested against the whole URL (https://host/path), not the path alone.
${EXIT_CODE_HELP}`;

async function buildProgram(): Promise<Command> {
  const { Command, Option } = await import("commander");
  const program = new Command("trawl")
    .description("Fetch a list of URLs concurrently, extract data with CSS selectors, stream one JSON record per URL.")
    .version(version, "-V, --version", "print the version and exit")
    .helpOption("-h, --help", "show this help and exit")
    .argument("[url...]", "URLs to fetch (also read from --input files or stdin)")
    .optionsGroup("Input:")
    .option("-i, --input <path>", "read URLs from a file, one per line ('-' for stdin); repeatable", collect)
    .option("--no-dedupe", "fetch duplicate URLs again instead of once")
    .option("--sitemap <url-or-file>", "also read page URLs from a sitemap or sitemap index (nested, gzipped); repeatable", collect)
    .option("--shard <k/n>", "take only shard k of n (by a stable URL hash), to split one list over n jobs")
    .optionsGroup("Fetching:")
    .option("-c, --concurrency <n>", "requests in flight at most, over all hosts (default: 16)")
    .option("--per-host <n>", "requests in flight at most to one host (default: same as -c)")
    .option("--rate <n[/s|/m]>", "new requests to one host per second (or minute), evenly spaced")
    .option("-t, --timeout <duration>", "limit for one attempt: connect, headers and whole body (default: 30s)")
    .option("-r, --retries <n>", "extra attempts after a retryable failure (default: 2)")
    .option("--retry-delay <duration>", "backoff base, exponential with full jitter, capped at 30s (default: 500ms)")
    .option("--max-redirects <n>", "redirects followed at most; 0 returns the 3xx itself (default: 10)")
    .option("--max-bytes <size>", "largest body after decompression, e.g. 512kb, 10mb (default: 10mb)")
    .option("-H, --header <header>", 'extra request header "Name: value"; repeatable', collect)
    .option("-A, --user-agent <ua>", `User-Agent header (default: trawl/${version})`)
    .option("--proxy <url>", "proxy for every request (default: HTTP_PROXY, HTTPS_PROXY, NO_PROXY)")
    .option("--insecure", "accept invalid TLS certificates")
    .option("--cookies <file>", "start the cookie jar with a Netscape cookies.txt (as curl -b)")
    .option("--no-cookies", "keep no cookie jar (by default cookies a site sets are sent back to it)")
    .option("--robots", "obey robots.txt (fetched once per origin); disallowed URLs get EROBOTS")
    .optionsGroup("Extraction:")
    .option("-s, --select <field>", "extract name=css (text), name=css@attr, or name[]=css (all matches); repeatable", collect)
    .option("--each <css>", "evaluate every -s field inside each element matching <css>; one object per element, in data.items")
    .optionsGroup("Crawl (--crawl, --follow or --recipe starts one):")
    .option("--crawl", "also follow the a[href] links of every HTML page fetched")
    .option(
      "--follow <css[@attr]>",
      "follow only the links these selectors pick (href unless @attr); implies a crawl with no depth limit; repeatable",
      collect,
    )
    .option("--recipe <file>", "a JSON recipe: start URLs and kinds of page, each with its own select, follow and carry (see README)")
    .option(
      "--depth <n>",
      "crawling: follow links up to this depth; input URLs are 0 (default: 2 with --crawl alone, none with --follow or --recipe)",
    )
    .option("--scope <scope>", "crawling: origin, host, domain (registrable) or any (default: origin)")
    .option("--include <regex>", "crawling: follow only links matching; repeatable", collect)
    .option("--exclude <regex>", "crawling: never follow links matching; repeatable", collect)
    .option("--max-pages <n>", "crawling: pages fetched at most, input URLs included")
    .option("--follow-nofollow", 'crawling: follow rel="nofollow" links too')
    .optionsGroup("Checking links (CI):")
    .option(
      "--check-links [all]",
      "crawling: also check links out of scope (HEAD, then GET), never followed; `all`: images, scripts, stylesheets too. Failed records get linkedFrom",
    )
    .option("--check-fragments", "crawling: a link page#id whose page has no such id fails with EFRAGMENT")
    .option("--accept <statuses>", "statuses that count as ok, e.g. 200-299,403,429 (default: 200-299)")
    .option("--fail-on <codes>", "only these error codes make the exit status 1, e.g. EHTTP,EFRAGMENT (default: every code)")
    .option("--junit <file>", "also write a JUnit XML report: one test case per record")
    .optionsGroup("Output:")
    .option("-o, --output <file>", "write records to a file instead of stdout")
    .addOption(
      new Option(
        "--format <format>",
        "ndjson, json, csv, or urls (the final URL of each ok record) (default: by --output's extension, else ndjson)",
      ),
    )
    .option("--ordered", "write records in input order instead of completion order")
    .option("--save <dir>", 'also store each body under <dir>/<host>/…; records get "file"')
    .option("--resume", "with -o: skip URLs already recorded in the file, append the rest")
    .option(
      "--cache <file>",
      'keep validators and records in <file>; a repeat run asks If-None-Match and re-emits unchanged pages ("cached": true)',
    )
    .option("--cache-max-age <duration>", "with --cache: drop entries not seen for this long (default: 30d)")
    .option("-q, --quiet", "no progress and no summary on stderr")
    .option("--summary <file>", "also write the run summary as JSON to <file>")
    .option("-v, --verbose", "log every attempt on stderr")
    .option("--allow-failures", "exit 0 even when some URLs failed")
    .optionsGroup("Several machines (a crawl shared through Redis):")
    .option("--frontier <redis-url>", "share the crawl with every trawl given the same Redis (redis://host:port/db) and --job")
    .option("--job <name>", "with --frontier: the shared crawl's name (letters, digits, '.', '_', '-')")
    .option("--lease <duration>", "with --frontier: a claimed page returns to the queue if not renewed for this long (default: 60s)")
    .option("--export <file>", "with --frontier, --job: append the job's committed records to <file> (NDJSON, once each; resumable)")
    .option("--keep", "with --export: keep the job in Redis after a complete export")
    .option("--status", "with --frontier, --job: print the job's counts as JSON")
    .addHelpText("after", EXAMPLES)
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      // Commander's own errors become the same one-line "trawl: …" as ours.
      outputError: (text, write) => write(`trawl: ${text.replace(/^error: /, "").trim()} (see trawl --help)\n`),
    })
    .action(async (urls: string[], flags: RawFlags) => {
      // Everything past commander loads only once there is work: --help and --version stay instant.
      const fleet = await import("./fleet.js");
      if (fleet.isJobCommand(flags)) {
        process.exitCode = await fleet.runJobCommand(urls, flags);
        return;
      }
      const { parseFlags } = await import("./flags.js");
      const { options, resolved, settings } = parseFlags(urls, flags, Boolean(process.stdin.isTTY));
      // undici parses HTTP with llhttp compiled to WebAssembly. V8 compiles it twice: a quick baseline
      // (Liftoff), then an optimised one in the background, which costs ~35 MB of memory and ~150 ms
      // of CPU, and holds up the exit of a short run until it is done. The baseline code parses a
      // response in a few microseconds either way; the flag must be set before undici is loaded.
      setFlagsFromString("--liftoff-only");
      const { run } = await import("./run.js");
      process.exitCode = await run(options, resolved, settings);
    });
  return program;
}

const args = process.argv.slice(2);
// A reader that goes away (`trawl --help | head`) is not an error worth a stack trace.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EPIPE") throw error;
});
try {
  // `trawl --version` alone answers before even commander loads: it is what scripts call most.
  if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) process.stdout.write(`${version}\n`);
  else await (await buildProgram()).parseAsync(process.argv);
} catch (error) {
  if (isCommanderError(error)) {
    process.exitCode = error.exitCode === 0 ? EXIT_CODE.ok : EXIT_CODE.usage;
  } else if (error instanceof UsageError) {
    // Library errors name options; the user typed flags (the one table in option-flags.ts).
    const { toCliError } = await import("./option-flags.js");
    process.stderr.write(`trawl: ${toCliError(error).message}\n`);
    process.exitCode = EXIT_CODE.usage;
  } else {
    process.stderr.write(`trawl: internal error: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = EXIT_CODE.internal;
  }
}
