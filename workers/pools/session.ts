import { ApiError } from "../api/errors";

/** Header a client sends to keep its requests on one backend (docs/routing.md). */
export const SESSION_HEADER = "X-Edgebox-Session";
/** Cookie the service sets when a client asks for cookie affinity (`X-Edgebox-Affinity: cookie`). */
export const SESSION_COOKIE = "edgebox_session";
export const AFFINITY_REQUEST_HEADER = "X-Edgebox-Affinity";

const SESSION_ID = /^[A-Za-z0-9._~-]{1,128}$/;

export interface RequestSession {
  id: string;
  /** True when the service made the id up and must send it back as a cookie. */
  issueCookie: boolean;
}

function cookieValue(cookieHeader: string | null, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/**
 * The session a request belongs to: the X-Edgebox-Session header wins, then the cookie; a request
 * that asks for cookie affinity and has neither gets a new id. No session means no affinity.
 */
export function sessionFromHeaders(headers: Headers): RequestSession | undefined {
  const fromHeader = headers.get(SESSION_HEADER);
  if (fromHeader !== null) {
    if (!SESSION_ID.test(fromHeader)) {
      throw new ApiError("validation_failed", `${SESSION_HEADER} must be 1-128 characters of A-Z a-z 0-9 . _ ~ -`, [
        { path: `headers.${SESSION_HEADER}`, message: "must be 1-128 characters of A-Z a-z 0-9 . _ ~ -" },
      ]);
    }
    return { id: fromHeader, issueCookie: false };
  }
  const fromCookie = cookieValue(headers.get("cookie"), SESSION_COOKIE);
  if (fromCookie !== undefined && SESSION_ID.test(fromCookie)) return { id: fromCookie, issueCookie: false };
  if (headers.get(AFFINITY_REQUEST_HEADER)?.trim().toLowerCase() === "cookie") {
    return { id: crypto.randomUUID(), issueCookie: true };
  }
  return undefined;
}

export function sessionCookie(id: string, ttlSeconds: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${id}; Path=/; Max-Age=${ttlSeconds}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
