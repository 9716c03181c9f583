import type { ContentfulStatusCode } from "hono/utils/http-status";

/** One problem with one input field, e.g. `{ path: "files[0].content", message: "..." }`. */
export interface FieldError {
  path: string;
  message: string;
}

/** Machine-readable error codes; each maps to exactly one HTTP status. */
export const ERROR_STATUS = {
  validation_failed: 400,
  invalid_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  bad_gateway: 502,
  service_unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * Every failure the API reports is an ApiError; `app.onError` turns it into the one JSON envelope.
 * Anything else that reaches `onError` is an internal error and its details are never sent.
 */
export class ApiError extends Error {
  readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
    this.status = ERROR_STATUS[code];
  }
}

/**
 * The error envelope. `message` sits at the top level because that is where Piston clients read
 * it (`{"message": "..."}`); the `error` object carries the structured form for everyone else.
 */
export interface ErrorEnvelope {
  message: string;
  error: {
    code: ErrorCode;
    status: number;
    message: string;
    request_id: string;
    details?: FieldError[];
  };
}

export function errorEnvelope(error: ApiError, requestId: string): ErrorEnvelope {
  return {
    message: error.message,
    error: {
      code: error.code,
      status: error.status,
      message: error.message,
      request_id: requestId,
      ...(error.details.length > 0 ? { details: error.details } : {}),
    },
  };
}
