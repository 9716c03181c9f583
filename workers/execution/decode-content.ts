// Files may arrive base64- or hex-encoded (Piston allows both); the sandbox runs text, so decoded
// bytes must be valid UTF-8. Returns null when the content is not valid in its declared encoding.

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function decodeBase64(content: string): Uint8Array | null {
  const compact = content.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact)) return null;
  const standard = compact.replace(/-/g, "+").replace(/_/g, "/");
  try {
    return Uint8Array.from(atob(standard), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

function decodeHex(content: string): Uint8Array | null {
  const compact = content.replace(/\s+/g, "");
  if (compact.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(compact)) return null;
  const bytes = new Uint8Array(compact.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(compact.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

export type ContentEncoding = "utf8" | "base64" | "hex";

export function decodeContent(content: string, encoding: ContentEncoding): string | null {
  if (encoding === "utf8") return content;
  const bytes = encoding === "base64" ? decodeBase64(content) : decodeHex(content);
  if (bytes === null) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** Piston's rule: "base64", "hex" and "utf8" are encodings; anything else means utf8. */
export function pistonEncoding(value: unknown): ContentEncoding {
  return value === "base64" || value === "hex" || value === "utf8" ? value : "utf8";
}
