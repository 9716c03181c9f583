import { describe, expect, it } from "vitest";
import { toPistonResponse, toPistonStage } from "../../workers/api/presenters/piston-result";
import type { ExecutionResult } from "../../workers/sandbox/types";

function result(overrides: Partial<ExecutionResult>): ExecutionResult {
  return {
    status: "ok",
    exitCode: 0,
    signal: null,
    message: null,
    stdout: "",
    stderr: "",
    output: "",
    stdoutTruncated: false,
    stderrTruncated: false,
    cpuTimeMs: 1.23456,
    wallTimeMs: 2,
    memoryBytes: 1000,
    nondeterministic: false,
    ...overrides,
  };
}

describe("Piston stage mapping", () => {
  it.each([
    ["ok", 0, null, null],
    ["runtime_error", 3, "RE", "Exited with error status 3"],
    ["cpu_time_exceeded", null, "TO", "Time limit exceeded"],
    ["wall_time_exceeded", null, "TO", "Time limit exceeded (wall clock)"],
    ["memory_limit_exceeded", null, "SG", "Memory limit exceeded"],
    ["stdout_limit_exceeded", null, "OL", "stdout length exceeded"],
    ["stderr_limit_exceeded", null, "EL", "stderr length exceeded"],
  ] as const)("%s → status %s", (status, exitCode, pistonStatus, message) => {
    const stage = toPistonStage(result({ status, exitCode }));
    expect(stage.status).toBe(pistonStatus);
    expect(stage.message).toBe(message);
    expect(stage.code).toBe(exitCode);
    expect(stage.cpu_time).toBe(1.235);
  });

  it("repeats a failed compile stage as run, like Piston", () => {
    const response = toPistonResponse(
      "typescript",
      "1.0.0",
      result({ status: "compile_error", exitCode: 1, compile: { ok: false, stderr: "main.ts:1:5: Unexpected token", wallTimeMs: 1 } }),
    );
    expect(response.compile?.code).toBe(1);
    expect(response.compile?.status).toBe("RE");
    expect(response.run).toEqual(response.compile);
  });

  it("has no compile stage for interpreted languages", () => {
    expect("compile" in toPistonResponse("javascript", "1.0.0", result({}))).toBe(false);
  });
});
