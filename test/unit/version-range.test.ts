import { describe, expect, it } from "vitest";
import { compareVersionsDescending, satisfies } from "../../workers/execution/version-range";

describe("satisfies", () => {
  const cases: Array<[string, string, boolean]> = [
    ["2025.9.13", "*", true],
    ["2025.9.13", "", true],
    ["2025.9.13", "x", true],
    ["2025.9.13", "2025.9.13", true],
    ["2025.9.13", "2025.9.12", false],
    ["2025.9.13", "2025", true],
    ["2025.9.13", "2025.9", true],
    ["2025.9.13", "2025.10", false],
    ["2025.9.13", "2025.x", true],
    ["2025.9.13", "2025.9.x", true],
    ["2025.9.13", "2024", false],
    ["18.15.0", "^18.1", true],
    ["19.0.0", "^18.1", false],
    ["0.2.5", "^0.2.3", true],
    ["0.3.0", "^0.2.3", false],
    ["0.0.3", "^0.0.3", true],
    ["0.0.4", "^0.0.3", false],
    ["18.15.9", "~18.15.0", true],
    ["18.16.0", "~18.15.0", false],
    ["18.0.0", ">=18 <19", true],
    ["19.0.0", ">=18 <19", false],
    ["17.9.9", ">= 18", false],
    ["16.3.0", "14 || 16", true],
    ["15.0.0", "14 || 16", false],
    ["18.15.0", ">18.14", true],
    ["18.14.5", ">18.14", false],
    ["18.14.5", "<=18.14", true],
    ["18.15.0", "<=18.14", false],
    ["1.2.3", "not-a-range", false],
    ["1.2.3", "1.2.3.4", false],
    ["not-a-version", "*", false],
  ];
  it.each(cases)("%s in %s → %s", (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });

  it("sorts versions highest first", () => {
    expect(["1.2.3", "10.0.0", "2.0.0", "1.10.0"].sort(compareVersionsDescending)).toEqual([
      "10.0.0",
      "2.0.0",
      "1.10.0",
      "1.2.3",
    ]);
  });
});
