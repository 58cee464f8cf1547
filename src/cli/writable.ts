import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { UsageError } from "../errors.js";

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
