// API key format and hashing. Keys look like `ebx_<32 base62 chars>` (~190 bits of entropy); only
// their SHA-256 is stored, so a leaked database does not leak usable keys. A fast hash is right here
// (unlike passwords): the key itself is high-entropy, so there is nothing to brute-force.

const KEY_PREFIX = "ebx_";
const KEY_RANDOM_CHARS = 32;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** How much of a key is kept in clear so people can tell their keys apart. */
export const DISPLAY_PREFIX_CHARS = 12;

export function generateApiKey(): string {
  // Rejection sampling keeps every base62 character equally likely.
  let out = KEY_PREFIX;
  while (out.length < KEY_PREFIX.length + KEY_RANDOM_CHARS) {
    for (const byte of crypto.getRandomValues(new Uint8Array(48))) {
      if (byte < 248 && out.length < KEY_PREFIX.length + KEY_RANDOM_CHARS) out += BASE62[byte % 62];
    }
  }
  return out;
}

export function looksLikeApiKey(candidate: string): boolean {
  return new RegExp(`^${KEY_PREFIX}[0-9A-Za-z]{${KEY_RANDOM_CHARS}}$`).test(candidate);
}

export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads the key from `Authorization: Bearer <key>` or `X-API-Key: <key>`. */
export function extractApiKey(headers: Headers): string | null {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    if (match) return match[1].trim();
  }
  return headers.get("x-api-key")?.trim() || null;
}

/** Constant-time string comparison, for the admin secret. */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return diff === 0;
}
