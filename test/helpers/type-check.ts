/**
 * Compiles one test file with the project's strict settings and returns the compiler's messages:
 * a test of types (expectTypeOf) only fails when the file is type-checked, which vitest does not do.
 */
import { fileURLToPath } from "node:url";
import ts from "typescript";

export function typeErrorsOf(moduleUrl: string): string[] {
  const file = fileURLToPath(moduleUrl);
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: ["node"],
  });
  const diagnostics = ts.getPreEmitDiagnostics(program, program.getSourceFile(file));
  return diagnostics.map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
}
