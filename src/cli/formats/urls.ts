import type { RecordFormat } from "./format.js";

/**
 * `--format urls`: the final URL of each ok record, one per line, to feed another trawl (`-i -`,
 * `--shard`); failed records write nothing. A URL never holds a line break (WHATWG serialisation
 * percent-encodes them), so a line is a URL.
 */
export function urlsFormat(): RecordFormat {
  return {
    begin: () => "",
    record: (record) => (record.ok && record.finalUrl !== null ? `${record.finalUrl}\n` : ""),
    end: () => "",
  };
}
