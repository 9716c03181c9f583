import { describe, expect, it } from "vitest";
import { accessLogged, readConfig } from "../../workers/config";
import { LIMIT_DEFAULTS, LIMIT_MAXIMA } from "../../workers/sandbox";

describe("readConfig", () => {
  it("treats a missing ENVIRONMENT as production: keys required, no anonymous tenant", () => {
    const config = readConfig({ ANONYMOUS_TENANT: "dev" });
    expect(config.production).toBe(true);
    expect(config.anonymousTenant).toBeNull();
  });

  it("serves the anonymous tenant in development when configured", () => {
    expect(readConfig({ ENVIRONMENT: "development", ANONYMOUS_TENANT: "dev" }).anonymousTenant).toBe("dev");
    expect(readConfig({ ENVIRONMENT: "development", ANONYMOUS_TENANT: "  " }).anonymousTenant).toBeNull();
  });

  it("lets operators lower the sandbox maxima but never raise them", () => {
    const lowered = readConfig({ MAX_CPU_TIME_MS: "500", MAX_OUTPUT_BYTES: "1024" });
    expect(lowered.limitMaxima.cpuTimeMs).toBe(500);
    expect(lowered.limitMaxima.maxStdoutBytes).toBe(1024);
    expect(lowered.limitDefaults.cpuTimeMs).toBe(Math.min(500, LIMIT_DEFAULTS.cpuTimeMs));
    const raised = readConfig({ MAX_CPU_TIME_MS: String(LIMIT_MAXIMA.cpuTimeMs * 10) });
    expect(raised.limitMaxima.cpuTimeMs).toBe(LIMIT_MAXIMA.cpuTimeMs);
  });

  it("ignores malformed numbers", () => {
    const config = readConfig({ MAX_BODY_BYTES: "lots", MAX_CPU_TIME_MS: "-5" });
    expect(config.maxBodyBytes).toBe(4 * 1024 * 1024);
    expect(config.limitMaxima.cpuTimeMs).toBe(LIMIT_MAXIMA.cpuTimeMs);
  });

  it("logs failed requests only unless ACCESS_LOG says all or off", () => {
    expect(readConfig({}).accessLog).toBe("errors");
    expect(readConfig({ ACCESS_LOG: " ALL " }).accessLog).toBe("all");
    expect(readConfig({ ACCESS_LOG: "off" }).accessLog).toBe("off");
    expect(readConfig({ ACCESS_LOG: "verbose" }).accessLog).toBe("errors");
    expect([200, 302, 399, 400, 404, 500].map((status) => accessLogged("errors", status))).toEqual([false, false, false, true, true, true]);
    expect([200, 404, 500].map((status) => accessLogged("all", status))).toEqual([true, true, true]);
    expect([200, 404, 500].map((status) => accessLogged("off", status))).toEqual([false, false, false]);
  });
});
