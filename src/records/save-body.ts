import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { access, mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { optionError } from "../errors.js";
import { hash64 } from "../urls/hash.js";
import { SAVE_MAX_SEGMENT, SAVE_MAX_DEPTH } from "../limits.js";

// Windows' reserved device names: a file called `con.html` cannot be created there.
const RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;

const EXTENSION_BY_TYPE: Record<string, string> = {
  "text/html": ".html",
  "application/xhtml+xml": ".xhtml",
  "application/json": ".json",
  "application/xml": ".xml",
  "text/xml": ".xml",
  "text/plain": ".txt",
  "text/css": ".css",
  "text/csv": ".csv",
  "application/javascript": ".js",
  "text/javascript": ".js",
  "application/pdf": ".pdf",
  "image/png": ".png",
  "image/jpeg": ".jpg",
  "image/gif": ".gif",
  "image/svg+xml": ".svg",
  "image/webp": ".webp",
};

/**
 * A path segment as a safe, readable folder name: only letters, digits, `.`, `-` and `_` (so no
 * separator, `..`, drive letter or `~`, which file names use for their hash), never a reserved name.
 */
function safeSegment(segment: string): string {
  let name = segment.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, SAVE_MAX_SEGMENT);
  if (/^\.*$/.test(name)) name = name.replace(/\./g, "_") || "_";
  if (RESERVED.test(name)) name = `_${name}`;
  return name;
}

function extensionOf(lastSegment: string, contentType: string | null): string {
  const fromPath = /\.([A-Za-z0-9]{1,8})$/.exec(lastSegment)?.[0];
  if (fromPath) return fromPath.toLowerCase();
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  return EXTENSION_BY_TYPE[mediaType] ?? ".bin";
}

/**
 * Where `--save` stores a URL's body, relative to the save folder: `<host>[_<port>]/<path>/<name>~<hash><ext>`.
 * Folder names come from the URL's path, made safe; the file name ends in a hash of the whole URL,
 * so no two URLs share a file, and since folder names never hold `~`, a file never collides with a
 * folder (`/a` and `/a/b` both fit).
 */
export function savePathFor(url: string, contentType: string | null): string {
  const parsed = new URL(url);
  const host = safeSegment(parsed.port ? `${parsed.hostname}_${parsed.port}` : parsed.hostname);
  const segments = parsed.pathname.split("/").slice(1);
  const last = segments.pop() ?? "";
  const folders = segments
    .filter((segment) => segment !== "")
    .map(safeSegment)
    .slice(0, SAVE_MAX_DEPTH);
  const stem = last.replace(/\.[A-Za-z0-9]{1,8}$/, "");
  const base = stem === "" ? "index" : safeSegment(stem);
  const [high, low] = hash64(url);
  const hash = (high.toString(16).padStart(8, "0") + low.toString(16).padStart(8, "0")).slice(0, 12);
  const name = `${base.slice(0, SAVE_MAX_SEGMENT - 24)}~${hash}${extensionOf(last, contentType)}`;
  return path.join(host, ...folders, name);
}

/**
 * Writes a body under `folder` (atomically: a temporary file renamed into place) and returns its
 * path. Refuses, as a last line of defence, any path that would resolve outside `folder`.
 */
export async function saveBody(folder: string, url: string, contentType: string | null, body: Uint8Array): Promise<string> {
  const relative = savePathFor(url, contentType);
  const root = path.resolve(folder);
  const target = path.resolve(root, relative);
  if (!target.startsWith(root + path.sep)) throw new Error(`refusing to write outside ${folder}: ${relative}`);
  await mkdir(path.dirname(target), { recursive: true });
  const temporary = `${target}.${randomBytes(4).toString("hex")}.part`;
  try {
    await writeFile(temporary, body);
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return path.join(folder, relative);
}

/**
 * Checks, before anything is fetched, that `dir` is (or can be made) a folder trawl can write to:
 * a save folder that is a file, or not writable, is a bad option, not a failure of every URL.
 */
export async function prepareSaveDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw optionError("saveDir", `${dir}: cannot write into it (${reason === "EEXIST" ? "ENOTDIR" : reason})`);
  }
}
