/** The UsageError a call throws (unit tests of option and flag checks); fails the test when it throws none, or another error. */
import { expect } from "vitest";
import { UsageError } from "../../src/errors.js";

export function usageErrorOf(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("expected a UsageError");
}
