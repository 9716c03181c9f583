import { z } from "zod";

export const createTenantSchema = z.object({
  id: z
    .string({ error: "is required as a string" })
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, "must be 1-63 lowercase letters, digits or dashes, starting with a letter or digit"),
  name: z.string({ error: "is required as a string" }).min(1, "must not be empty").max(200, "must be at most 200 characters"),
});

export const updateTenantSchema = z.object({
  disabled: z.boolean({ error: "is required as a boolean" }),
});

export const createApiKeySchema = z.object({
  name: z.string({ error: "is required as a string" }).min(1, "must not be empty").max(200, "must be at most 200 characters"),
});

export const tenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  disabled: z.boolean(),
  createdAt: z.string().describe("ISO 8601"),
});

export const apiKeySchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: z.string(),
  prefix: z.string().describe("first characters of the key, to tell keys apart"),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const createdApiKeySchema = apiKeySchema.extend({
  key: z.string().describe("the API key; shown only in this response"),
});
