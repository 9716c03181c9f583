import type { Context } from "hono";
import type { AppEnv } from "./app-env";
import { ApiError } from "./errors";

const JSON_MEDIA_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
/**
 * Clients that send JSON without declaring it: a string body in fetch/node-fetch defaults to
 * text/plain (the piston-client package does exactly this), and some send no type at all. Their
 * bodies are still parsed as JSON; any other declared type (forms, XML, ...) is a 415.
 */
const UNDECLARED_JSON_MEDIA_TYPE = /^text\/plain\s*(?:;|$)/i;

/**
 * Reads a JSON request body defensively: 415 when it is declared as something other than JSON, 413 past the configured
 * cap (checked on Content-Length and again while streaming, since the header can lie or be absent),
 * 400 for bytes that are not UTF-8 or text that is not JSON. Never buffers more than the cap.
 */
export async function readJsonBody(c: Context<AppEnv>): Promise<unknown> {
  const contentType = (c.req.header("content-type") ?? "").trim();
  if (contentType !== "" && !JSON_MEDIA_TYPE.test(contentType) && !UNDECLARED_JSON_MEDIA_TYPE.test(contentType)) {
    throw new ApiError("unsupported_media_type", "requests must be of type application/json");
  }
  const maxBytes = c.get("config").maxBodyBytes;
  const tooLarge = () =>
    new ApiError("payload_too_large", `request body exceeds the limit of ${maxBytes} bytes`);
  const declared = Number(c.req.header("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge();

  const body = c.req.raw.body;
  if (!body) throw new ApiError("invalid_json", "request body is empty; expected a JSON object");
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError("invalid_json", "request body is not valid UTF-8");
  }
  if (text.trim() === "") throw new ApiError("invalid_json", "request body is empty; expected a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError("invalid_json", `request body is not valid JSON: ${(error as Error).message}`);
  }
}
