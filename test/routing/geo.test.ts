import { describe, expect, it } from "vitest";
import { seededRandom as seeded } from "../helpers/seeded-random";
import { EARTH_RADIUS_KM, greatCircleKm, parseClientLocation, rankRegions } from "../../workers/routing/geo";
import type { Region } from "../../workers/routing/types";

const LONDON = { latitude: 51.5074, longitude: -0.1278 };
const NEW_YORK = { latitude: 40.7128, longitude: -74.006 };
const SYDNEY = { latitude: -33.8688, longitude: 151.2093 };
const FRANKFURT = { latitude: 50.1109, longitude: 8.6821 };


function region(id: string, overrides: Partial<Region> = {}): Region {
  return {
    id,
    name: id,
    latitude: 0,
    longitude: 0,
    locationHint: null,
    countries: [],
    continents: [],
    policy: "least_connections",
    sessionFailover: "none",
    affinityTtlSeconds: 300,
    isDefault: false,
    enabled: true,
    ...overrides,
  };
}

const ids = (regions: Region[]) => regions.map((r) => r.id);

describe("greatCircleKm", () => {
  it("measures London to New York as about 5570 km", () => {
    const km = greatCircleKm(LONDON, NEW_YORK);
    expect(Math.abs(km - 5570) / 5570).toBeLessThan(0.01);
  });

  it("measures London to Sydney as about 16990 km", () => {
    expect(Math.abs(greatCircleKm(LONDON, SYDNEY) - 16990) / 16990).toBeLessThan(0.01);
  });

  it("is zero for a point and symmetric", () => {
    expect(greatCircleKm(LONDON, LONDON)).toBe(0);
    expect(greatCircleKm(LONDON, SYDNEY)).toBeCloseTo(greatCircleKm(SYDNEY, LONDON), 9);
  });

  it("gives half the circumference for antipodes, never NaN", () => {
    const km = greatCircleKm({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 });
    expect(km).toBeCloseTo(Math.PI * EARTH_RADIUS_KM, 6);
    expect(greatCircleKm({ latitude: 90, longitude: 0 }, { latitude: -90, longitude: 0 })).toBeCloseTo(
      Math.PI * EARTH_RADIUS_KM,
      6,
    );
  });

  it("obeys the triangle inequality on random points", () => {
    const random = seeded(7);
    const point = () => ({ latitude: random() * 180 - 90, longitude: random() * 360 - 180 });
    for (let i = 0; i < 500; i++) {
      const [a, b, c] = [point(), point(), point()];
      const ab = greatCircleKm(a, b);
      expect(ab).toBeGreaterThanOrEqual(0);
      expect(ab).toBeLessThanOrEqual(Math.PI * EARTH_RADIUS_KM + 1e-6);
      expect(ab).toBeLessThanOrEqual(greatCircleKm(a, c) + greatCircleKm(c, b) + 1e-6);
    }
  });
});

describe("rankRegions", () => {
  const euWest = region("eu-west", { ...LONDON, countries: ["GB", "IE"], continents: ["EU"] });
  const euCentral = region("eu-central", { ...FRANKFURT, countries: ["DE"], continents: ["EU"] });
  const usEast = region("us-east", { ...NEW_YORK, countries: ["US"], continents: ["NA"], isDefault: true });
  const apSouth = region("ap-southeast", { ...SYDNEY, countries: ["AU"], continents: ["OC"] });
  const all = [apSouth, usEast, euCentral, euWest];

  it("orders by distance when the client has coordinates", () => {
    expect(ids(rankRegions(all, { latitude: 48.8566, longitude: 2.3522 }))).toEqual([
      "eu-west",
      "eu-central",
      "us-east",
      "ap-southeast",
    ]);
    expect(ids(rankRegions(all, { latitude: -37.8, longitude: 144.9 }))[0]).toBe("ap-southeast");
  });

  it("prefers coordinates over country and continent", () => {
    expect(ids(rankRegions(all, { ...NEW_YORK, country: "DE", continent: "EU" }))[0]).toBe("us-east");
  });

  it("breaks distance ties by id", () => {
    const twins = [region("b", { ...LONDON }), region("a", { ...LONDON }), region("c", { ...SYDNEY })];
    expect(ids(rankRegions(twins, LONDON))).toEqual(["a", "b", "c"]);
  });

  it("puts a region with unusable coordinates last rather than dropping it", () => {
    const broken = region("aaa", { latitude: Number.NaN, longitude: 0 });
    expect(ids(rankRegions([broken, euWest, usEast], LONDON))).toEqual(["eu-west", "us-east", "aaa"]);
  });

  it("without coordinates: country, then continent, then default, then the rest by id", () => {
    expect(ids(rankRegions(all, { country: "DE", continent: "EU" }))).toEqual([
      "eu-central",
      "eu-west",
      "us-east",
      "ap-southeast",
    ]);
    expect(ids(rankRegions(all, { country: "FR", continent: "EU" }))).toEqual([
      "eu-central",
      "eu-west",
      "us-east",
      "ap-southeast",
    ]);
    expect(ids(rankRegions(all, { country: "JP", continent: "AS" }))).toEqual([
      "us-east",
      "ap-southeast",
      "eu-central",
      "eu-west",
    ]);
    expect(ids(rankRegions(all, {}))).toEqual(["us-east", "ap-southeast", "eu-central", "eu-west"]);
  });

  it("matches country and continent case-insensitively", () => {
    expect(ids(rankRegions(all, { country: "au" }))[0]).toBe("ap-southeast");
    expect(ids(rankRegions([region("x", { continents: ["eu"] }), usEast], { continent: "EU" }))[0]).toBe("x");
  });

  it("ignores half a coordinate pair", () => {
    expect(ids(rankRegions(all, { latitude: -33, country: "DE" }))[0]).toBe("eu-central");
  });

  it("leaves disabled regions out, even the default", () => {
    const disabledDefault = { ...usEast, enabled: false };
    expect(ids(rankRegions([disabledDefault, euWest, apSouth], {}))).toEqual(["ap-southeast", "eu-west"]);
    expect(ids(rankRegions([disabledDefault, euWest], NEW_YORK))).toEqual(["eu-west"]);
  });

  it("does not reorder its input", () => {
    const input = [...all];
    rankRegions(input, LONDON);
    rankRegions(input, { country: "US" });
    expect(input).toEqual(all);
  });

  it("lists every enabled region exactly once, in its order (property)", () => {
    const random = seeded(2024);
    const codes = ["GB", "DE", "US", "AU", "JP"];
    const continents = ["EU", "NA", "OC", "AS"];
    const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
    for (let round = 0; round < 300; round++) {
      const count = 1 + Math.floor(random() * 8);
      const regions = Array.from({ length: count }, (_, i) =>
        region(`r${Math.floor(random() * 100)}-${i}`, {
          latitude: random() * 180 - 90,
          longitude: random() * 360 - 180,
          countries: random() < 0.5 ? [pick(codes)] : [],
          continents: random() < 0.5 ? [pick(continents)] : [],
          isDefault: i === 0 && random() < 0.5,
          enabled: random() < 0.8,
        }),
      );
      const enabled = regions.filter((r) => r.enabled);
      const withCoordinates = random() < 0.5;
      const location = withCoordinates
        ? { latitude: random() * 180 - 90, longitude: random() * 360 - 180 }
        : { country: pick(codes), continent: pick(continents) };
      const ranked = rankRegions(regions, location);
      expect([...ids(ranked)].sort()).toEqual(ids(enabled).sort());
      for (let i = 1; i < ranked.length; i++) {
        if (withCoordinates) {
          const before = greatCircleKm(location as typeof LONDON, ranked[i - 1]);
          const after = greatCircleKm(location as typeof LONDON, ranked[i]);
          expect(before < after || (before === after && ranked[i - 1].id < ranked[i].id)).toBe(true);
        } else {
          const group = (r: Region) =>
            r.countries.includes(location.country!) ? 0 : r.continents.includes(location.continent!) ? 1 : r.isDefault ? 2 : 3;
          const [g0, g1] = [group(ranked[i - 1]), group(ranked[i])];
          expect(g0 < g1 || (g0 === g1 && ranked[i - 1].id < ranked[i].id)).toBe(true);
        }
      }
    }
  });
});

describe("parseClientLocation", () => {
  it("reads request.cf's string coordinates and codes", () => {
    expect(
      parseClientLocation({ latitude: "51.50740", longitude: "-0.12780", country: "GB", continent: "EU", city: "London" }),
    ).toEqual({ latitude: 51.5074, longitude: -0.1278, country: "GB", continent: "EU" });
  });

  it("accepts numbers, surrounding spaces and lower-case codes", () => {
    expect(parseClientLocation({ latitude: 10, longitude: " -20.5 ", country: "de", continent: " eu " })).toEqual({
      latitude: 10,
      longitude: -20.5,
      country: "DE",
      continent: "EU",
    });
  });

  it("accepts the edges of the valid range", () => {
    expect(parseClientLocation({ latitude: "-90", longitude: "180" })).toEqual({ latitude: -90, longitude: 180 });
  });

  it("returns nothing for a missing or non-object cf", () => {
    for (const cf of [undefined, null, "GB", 42, []]) expect(parseClientLocation(cf)).toEqual({});
  });

  it("drops garbage and out-of-range coordinates, and half pairs", () => {
    const garbage = ["", " ", "abc", "0x10", "Infinity", "NaN", "1,5", "12abc", "91", "-90.0001", null, {}, Number.NaN, Infinity];
    for (const latitude of garbage) {
      expect(parseClientLocation({ latitude, longitude: "0", country: "GB" })).toEqual({ country: "GB" });
    }
    expect(parseClientLocation({ latitude: "0", longitude: "180.5" })).toEqual({});
    expect(parseClientLocation({ latitude: "10" })).toEqual({});
  });

  it("drops malformed country and continent codes", () => {
    expect(parseClientLocation({ country: "GBR", continent: 7 })).toEqual({});
    expect(parseClientLocation({ country: "", continent: "E" })).toEqual({});
    expect(parseClientLocation({ country: "T1", continent: "XX" })).toEqual({ country: "T1", continent: "XX" });
  });
});
