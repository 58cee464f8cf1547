// Preloaded with `node --import`: writes every module the program resolves to stderr as
// "import-trace <url>", so a test can see which packages a command loads.
import { register } from "node:module";

const hooks = `
import { writeSync } from "node:fs";
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  writeSync(2, "import-trace " + result.url + "\\n");
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

// CommonJS `require` (trawl loads undici's dispatchers that way) does not pass through the hooks
// above: trace it where Node resolves every required file.
import { writeSync } from "node:fs";
import Module from "node:module";

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function traced(...args) {
  const file = resolveFilename.apply(this, args);
  if (file.startsWith("/")) writeSync(2, `import-trace file://${file}\n`);
  return file;
};
