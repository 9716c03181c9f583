// Where a request should go first: regions ranked by nearness to the client. The ranking is also the
// failover order, so every enabled region appears exactly once and callers walk it until a pool
// accepts the request.

import type { ClientLocation, Region } from "./types";

/** Mean Earth radius (IUGG), the usual radius for haversine distances. */
export const EARTH_RADIUS_KM = 6371;

const RADIANS_PER_DEGREE = Math.PI / 180;
const MAX_ABS_LATITUDE_DEGREES = 90;
const MAX_ABS_LONGITUDE_DEGREES = 180;

export interface Coordinates {
  latitude: number;
  longitude: number;
}

/** Great-circle distance by the haversine formula (accurate to ~0.5 % on the real, oblate Earth). */
export function greatCircleKm(a: Coordinates, b: Coordinates): number {
  const dLat = (b.latitude - a.latitude) * RADIANS_PER_DEGREE;
  const dLon = (b.longitude - a.longitude) * RADIANS_PER_DEGREE;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * RADIANS_PER_DEGREE) * Math.cos(b.latitude * RADIANS_PER_DEGREE) * Math.sin(dLon / 2) ** 2;
  // Rounding can push h a hair past 1 for antipodal points, which would make asin return NaN.
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1, Math.max(0, h))));
}

function byId(a: Region, b: Region): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function hasCoordinates(location: ClientLocation): location is ClientLocation & Coordinates {
  return Number.isFinite(location.latitude) && Number.isFinite(location.longitude);
}

/**
 * Enabled regions in preference (= failover) order. With client coordinates: nearest first, ties by
 * id. Without: regions listing the client's country, then its continent, then the default region,
 * then the rest; by id within each group. Disabled regions are left out.
 */
export function rankRegions(regions: Region[], location: ClientLocation): Region[] {
  const enabled = regions.filter((region) => region.enabled);
  if (hasCoordinates(location)) {
    // A region with broken coordinates still belongs in the failover order, just last.
    const distanceKm = new Map(
      enabled.map((region) => {
        const km = greatCircleKm(location, region);
        return [region, Number.isNaN(km) ? Number.POSITIVE_INFINITY : km] as const;
      }),
    );
    return enabled.sort((a, b) => distanceKm.get(a)! - distanceKm.get(b)! || byId(a, b));
  }
  const country = location.country?.toUpperCase();
  const continent = location.continent?.toUpperCase();
  const lists = (codes: string[], code: string | undefined) =>
    code !== undefined && codes.some((listed) => listed.toUpperCase() === code);
  const group = (region: Region): number => {
    if (lists(region.countries, country)) return 0;
    if (lists(region.continents, continent)) return 1;
    if (region.isDefault) return 2;
    return 3;
  };
  return enabled.sort((a, b) => group(a) - group(b) || byId(a, b));
}

// Plain decimal only: Number() alone would also accept "", " ", "0x1f" and "Infinity".
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
// request.cf uses ISO 3166-1 alpha-2 plus a few pseudo-codes ("XX" unknown, "T1" Tor) and
// two-letter continent codes.
const TWO_CHAR_CODE = /^[A-Za-z0-9]{2}$/;

function parseDegrees(value: unknown, maxAbsDegrees: number): number | undefined {
  let degrees: number;
  if (typeof value === "number") degrees = value;
  else if (typeof value === "string" && DECIMAL.test(value.trim())) degrees = Number(value.trim());
  else return undefined;
  return Number.isFinite(degrees) && Math.abs(degrees) <= maxAbsDegrees ? degrees : undefined;
}

function parseCode(value: unknown): string | undefined {
  return typeof value === "string" && TWO_CHAR_CODE.test(value.trim()) ? value.trim().toUpperCase() : undefined;
}

/**
 * Reads the client's location from request.cf, where latitude and longitude arrive as strings
 * ("51.50740"). Anything missing, malformed or out of range is left out; coordinates are kept only
 * as a valid pair, since one alone cannot place anybody. Country and continent are upper-cased.
 */
export function parseClientLocation(cf: unknown): ClientLocation {
  if (typeof cf !== "object" || cf === null) return {};
  const fields = cf as Record<string, unknown>;
  const location: ClientLocation = {};
  const latitude = parseDegrees(fields.latitude, MAX_ABS_LATITUDE_DEGREES);
  const longitude = parseDegrees(fields.longitude, MAX_ABS_LONGITUDE_DEGREES);
  if (latitude !== undefined && longitude !== undefined) {
    location.latitude = latitude;
    location.longitude = longitude;
  }
  const country = parseCode(fields.country);
  if (country !== undefined) location.country = country;
  const continent = parseCode(fields.continent);
  if (continent !== undefined) location.continent = continent;
  return location;
}
