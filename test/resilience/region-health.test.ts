import { describe, expect, it } from "vitest";
import { aggregateRegionHealth, DEFAULT_REGION_HEALTH, overallHealth } from "../../workers/resilience/region-health";

function backends(usable: number, down: number) {
  return [
    ...Array.from({ length: usable }, (_, i) => ({ id: `up-${i}`, usable: true })),
    ...Array.from({ length: down }, (_, i) => ({ id: `down-${i}`, usable: false })),
  ];
}

describe("aggregateRegionHealth", () => {
  it("is healthy when every backend is usable, including a builtin-only region", () => {
    expect(aggregateRegionHealth(backends(4, 0))).toEqual({ status: "healthy", usable: 4, total: 4 });
    expect(aggregateRegionHealth([{ id: "builtin-weur", usable: true }])).toEqual({ status: "healthy", usable: 1, total: 1 });
  });

  it("is degraded below 100 % usable and critical below 50 %", () => {
    expect(aggregateRegionHealth(backends(3, 1)).status).toBe("degraded");
    expect(aggregateRegionHealth(backends(1, 1)).status).toBe("degraded"); // exactly 50 %
    expect(aggregateRegionHealth(backends(1, 2))).toEqual({ status: "critical", usable: 1, total: 3 });
  });

  it("is critical with no usable backend or none at all, whatever the thresholds", () => {
    expect(aggregateRegionHealth([])).toEqual({ status: "critical", usable: 0, total: 0 });
    expect(aggregateRegionHealth(backends(0, 2), { degradedBelowPct: 0, criticalBelowPct: 0 }).status).toBe("critical");
  });

  it("follows configured thresholds", () => {
    const lenient = { ...DEFAULT_REGION_HEALTH, degradedBelowPct: 75, criticalBelowPct: 25 };
    expect(aggregateRegionHealth(backends(3, 1), lenient).status).toBe("healthy");
    expect(aggregateRegionHealth(backends(1, 3), lenient).status).toBe("degraded");
    expect(aggregateRegionHealth(backends(1, 4), lenient).status).toBe("critical");
  });
});

describe("overallHealth", () => {
  const healthy = { status: "healthy" as const };
  const degraded = { status: "degraded" as const };
  const critical = { status: "critical" as const };

  it("is healthy only when every region is", () => {
    expect(overallHealth([healthy, healthy])).toBe("healthy");
    expect(overallHealth([healthy, degraded])).toBe("degraded");
  });

  it("is degraded while any region can still serve, critical only when none can", () => {
    expect(overallHealth([critical, healthy])).toBe("degraded");
    expect(overallHealth([critical, degraded])).toBe("degraded");
    expect(overallHealth([critical, critical])).toBe("critical");
    expect(overallHealth([])).toBe("critical");
  });

  it("takes aggregateRegionHealth's results directly", () => {
    const regions = [aggregateRegionHealth(backends(2, 0)), aggregateRegionHealth(backends(0, 3))];
    expect(overallHealth(regions)).toBe("degraded");
  });
});
