import { z } from "zod";
import { MAX_SWR_SECONDS } from "../../cache/policy";
import { MAX_INVALIDATION_KEYS } from "../../cache/tags";

// `/v1/cache` request bodies (docs/cache.md).

export const invalidateSchema = z
  .object({
    tags: z.array(z.string({ error: "must be a string" }), { error: "must be an array of strings" }).max(100, "must contain at most 100 tags").optional(),
    keys: z
      .array(z.string({ error: "must be a string" }), { error: "must be an array of strings" })
      .max(MAX_INVALIDATION_KEYS, `must contain at most ${MAX_INVALIDATION_KEYS} keys`)
      .optional(),
    namespace: z.string({ error: "must be a string" }).optional(),
  })
  .strict();

export const settingsSchema = z
  .object({
    shared: z.boolean({ error: "must be a boolean" }).optional(),
    staleWhileRevalidateSeconds: z
      .number({ error: "must be a number (seconds)" })
      .int("must be a whole number of seconds")
      .min(0, "must be non-negative")
      .max(MAX_SWR_SECONDS, `cannot exceed ${MAX_SWR_SECONDS}`)
      .optional(),
  })
  .strict();
