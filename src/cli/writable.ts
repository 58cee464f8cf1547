import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";

/**
 * Refuses two flags naming one file (`-o r.xml --junit r.xml`): each file would truncate the other.
 * Checked before any of them is opened; `files` are [flag, path], in the order messages name them.
 */
export function assertDistinctFiles(files: readonly (readonly [flag: string, file: string | undefined])[]): void {
  const named = new Map<string, string>();
  for (const [flag, file] of files) {
    if (file === undefined) continue;
    const key = path.resolve(file);
    const other = named.get(key);
    if (other !== undefined) throw new UsageError(`${other} and ${flag} name the same file (${file}): each needs a file of its own`);
    named.set(key, flag);
  }
}

/**
 * Checks, before anything is fetched, that a file named by a flag (`--summary`, `--junit`, …) can be
 * written: an existing file must be a writable file, a new one needs a writable folder. Finding out
 * at the end of a long run would lose what the file was for.
 */
export async function assertWritableFile(file: string, flag: string): Promise<void> {
  try {
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return null;
      throw error;
    });
    if (info?.isDirectory()) throw Object.assign(new Error("is a directory"), { code: "EISDIR" });
    if (info) await access(file, constants.W_OK);
    else {
      const folder = path.dirname(path.resolve(file));
      if (!(await stat(folder)).isDirectory()) throw Object.assign(new Error("not a folder"), { code: "ENOTDIR" });
      await access(folder, constants.W_OK | constants.X_OK);
    }
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`${flag} ${file}: cannot write it (${reason})`);
  }
}
