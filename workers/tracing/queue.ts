import { parseTraceparent, randomHex } from "../observability/trace-context";
import { sampledByRatio } from "./config";
import { exportTracer, tracingConfigFor, type FlushEnv } from "./flush";
import type { Span } from "./span";
import { runInSpan, startSpan, Tracer } from "./tracer";

// Queue hops (docs/tracing.md). A producer span per send, whose traceparent every message of the
// send carries; on the other side a consumer span per message that continues the message's trace
// (its parent is the producer span), with the job's work as its children.

export const MESSAGING_SYSTEM = "cloudflare.queues";

/** Queue names of the job lanes (wrangler.toml). */
export function jobQueueName(lane: string): string {
  return `edgebox-jobs-${lane}`;
}

/** A producer span for sending `count` messages to `queue`, child of the current span. */
export function startQueueSend(queue: string, count: number): Span {
  return startSpan(`send ${queue}`, {
    kind: "producer",
    attributes: {
      "messaging.system": MESSAGING_SYSTEM,
      "messaging.operation.type": "send",
      "messaging.destination.name": queue,
      ...(count > 1 ? { "messaging.batch.message_count": count } : {}),
    },
  });
}

interface TracedBody {
  traceparent?: unknown;
  kind?: unknown;
  jobId?: unknown;
  tenantId?: unknown;
  attempt?: unknown;
}

/** The message as the handler sees it, with ack/retry noted on the consumer span. */
function observed(message: Message<unknown>, span: Span): Message<unknown> {
  return {
    get id() {
      return message.id;
    },
    get timestamp() {
      return message.timestamp;
    },
    get body() {
      return message.body;
    },
    get attempts() {
      return message.attempts;
    },
    ack() {
      span.setAttribute("edgebox.queue.outcome", "ack");
      message.ack();
    },
    retry(options?: QueueRetryOptions) {
      span.setAttributes({ "edgebox.queue.outcome": "retry", "edgebox.queue.retry_delay_seconds": options?.delaySeconds });
      span.setStatus("error", "retried");
      message.retry(options);
    },
  } as Message<unknown>;
}

/**
 * Tracing for one queue consumer invocation: `wrap` turns a per-message handler into one that runs
 * inside a consumer span; `flush` queues the batch's spans for export (from ctx.waitUntil).
 */
export function consumerTracing(env: FlushEnv, ctx: Pick<ExecutionContext, "waitUntil">, queue: string) {
  const tracer = new Tracer();
  const config = tracingConfigFor(env);
  const waitUntil = (promise: Promise<unknown>) => ctx.waitUntil(promise);
  return {
    wrap(handle: (message: Message<unknown>) => Promise<void>): (message: Message<unknown>) => Promise<void> {
      return async (message) => {
        const body = (typeof message.body === "object" && message.body !== null ? message.body : {}) as TracedBody;
        const parent = parseTraceparent(typeof body.traceparent === "string" ? body.traceparent : null);
        const newTraceId = parent ? "" : randomHex(16);
        const span = tracer.startSpan(
          `process ${queue}`,
          parent
            ? { traceId: parent.traceId, spanId: parent.parentSpanId, sampled: (parent.flags & 1) === 1 }
            : { traceId: newTraceId, spanId: null, sampled: sampledByRatio(newTraceId, config.sampleRatio) },
          {
            kind: "consumer",
            attributes: {
              "messaging.system": MESSAGING_SYSTEM,
              "messaging.operation.type": "process",
              "messaging.destination.name": queue,
              "messaging.message.id": message.id,
              "edgebox.queue.attempts": message.attempts,
              "edgebox.job.id": typeof body.jobId === "string" ? body.jobId : undefined,
              "edgebox.job.message_kind": typeof body.kind === "string" ? body.kind : undefined,
              "edgebox.tenant": typeof body.tenantId === "string" ? body.tenantId : undefined,
              "edgebox.callback.attempt": typeof body.attempt === "number" ? body.attempt : undefined,
            },
          },
        );
        try {
          await runInSpan(tracer, span, () => handle(observed(message, span)));
        } catch (error) {
          span.recordException(error);
          throw error;
        } finally {
          span.end();
        }
      };
    },
    flush(): void {
      exportTracer(tracer, env, waitUntil);
    },
  };
}
