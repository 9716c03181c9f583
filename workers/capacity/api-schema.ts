import { z } from "zod";

// GET /v1/capacity's answer, for the OpenAPI document (the route answers buildCapacityPlan's output,
// whose type this mirrors; test/capacity/http.test.ts checks a live answer against it).

const params = z.object({ alpha: z.number().optional(), beta: z.number().optional(), gamma: z.number().optional(), phi: z.number().optional() });

export const regionPlanSchema = z.object({
  id: z.string(),
  name: z.string(),
  historyPoints: z.number().int().describe("hourly points the model was fitted on, from the region's first hour with traffic"),
  historyStart: z.string().nullable(),
  filledPoints: z.number().int().describe("hours without any data, filled from a day earlier"),
  model: z.object({ kind: z.enum(["holt_winters", "seasonal_naive", "holt", "mean", "none"]), params, sigma: z.number() }),
  forecast: z.array(z.object({ at: z.string().describe("start of the hour"), rps: z.number(), low: z.number(), high: z.number() })),
  forecastPeakRps: z.number(),
  forecastPeakAt: z.string().nullable(),
  meanLatencyMs: z.number().nullable().describe("mean latency over the last 24 h (all requests)"),
  elastic: z.boolean().describe("the region has the builtin runtime, which scales with Cloudflare and is not counted"),
  requiredConcurrency: z.number().int().nullable().describe("ceil(forecastPeakRps × meanLatency s × headroom)"),
  currentCapacity: z.number().int().describe("sum of the enabled remote backends' maxConcurrency"),
  action: z.enum(["scale_out", "scale_in", "hold"]),
  suggestedCapacity: z.number().int(),
  reason: z.string(),
});

export const capacityPlanSchema = z.object({
  generatedAt: z.string(),
  horizonHours: z.number().int(),
  model: z.object({
    name: z.literal("holt_winters_additive"),
    fallbacks: z.array(z.string()),
    bucketMinutes: z.number().int(),
    seasonLength: z.number().int(),
    historyDays: z.number().int(),
    interval: z.number(),
    headroom: z.number(),
    scaleInBelow: z.number(),
    latencyWindowHours: z.number().int(),
  }),
  regions: z.array(regionPlanSchema),
});
