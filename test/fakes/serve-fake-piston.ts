// @ts-ignore -- Node needs the extension; the workers tsconfig (which also sees this file) does not allow it.
import { createFakePiston, isFakeConnectionReset, type FakePiston, type FakePistonOptions } from "./fake-piston.ts";

// Serves fetch-style handlers (the fake Piston) over node:http, for end-to-end tests and
// benchmarks (`node` strips the types; no build step), and adapts them to Miniflare's Node-style
// outboundService (vitest.config.ts). Node-only, but typed structurally: the workers tsconfig
// includes test/ and has no Node types.

/** The parts of node:http's IncomingMessage the adapter uses. */
export interface NodeRequestLike extends AsyncIterable<Uint8Array> {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
  socket: { destroy(): unknown };
}

/** The parts of node:http's ServerResponse the adapter uses. */
export interface NodeResponseLike {
  readonly headersSent: boolean;
  readonly writableFinished: boolean;
  writeHead(status: number, headers: Record<string, string>): unknown;
  end(chunk?: Uint8Array): unknown;
  on(event: "close", listener: () => void): unknown;
  destroy(): unknown;
}

export type FetchHandler = (request: Request) => Promise<Response>;

/**
 * A node:http handler that serves a fetch-style handler. request.signal aborts when the client goes
 * away before the answer is complete (so "hang" ends and in-flight counts drop). A handler that
 * throws FakeConnectionReset gets its socket destroyed: the client sees a reset connection, not an
 * HTTP answer. Any other error is a 500 with the error message.
 */
export function toNodeHandler(handler: FetchHandler): (req: NodeRequestLike, res: NodeResponseLike) => Promise<void> {
  return async (req, res) => {
    const gone = new AbortController();
    res.on("close", () => {
      if (!res.writableFinished) gone.abort(new Error("client closed the connection"));
    });
    try {
      const method = (req.method ?? "GET").toUpperCase();
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value === undefined || name.startsWith(":")) continue;
        for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
      }
      let body: Uint8Array | undefined;
      if (method !== "GET" && method !== "HEAD") {
        const chunks: Uint8Array[] = [];
        for await (const chunk of req) chunks.push(chunk);
        body = concat(chunks);
      }
      // req.url is a path for origin-form requests and a full URL for absolute-form ones.
      const url = new URL(req.url ?? "/", `http://${headers.get("host") ?? "localhost"}`);
      const response = await handler(new Request(url, { method, headers, body, signal: gone.signal }));
      const bytes = new Uint8Array(await response.arrayBuffer());
      if (gone.signal.aborted) return;
      res.writeHead(response.status, { ...Object.fromEntries(response.headers), "content-length": String(bytes.byteLength) });
      res.end(bytes);
    } catch (error) {
      if (isFakeConnectionReset(error) || gone.signal.aborted) {
        req.socket.destroy();
        return;
      }
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end(new TextEncoder().encode(error instanceof Error ? error.message : String(error)));
    }
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

export interface FakePistonServer {
  /** http://127.0.0.1:<port>, no trailing slash: the backend's base URL. */
  url: string;
  fake: FakePiston;
  close(): Promise<void>;
}

interface NodeServerLike {
  listen(port: number, host: string, callback: () => void): unknown;
  once(event: "error", listener: (error: Error) => void): unknown;
  address(): { port: number } | string | null;
  close(callback: (error?: Error) => void): unknown;
  closeAllConnections?(): void;
}

interface NodeHttpLike {
  createServer(handler: (req: NodeRequestLike, res: NodeResponseLike) => void): NodeServerLike;
}

/** Starts a fake Piston on 127.0.0.1 (port 0 = any free port). close() also drops open connections. */
export async function startFakePistonServer(options: FakePistonOptions & { port?: number }): Promise<FakePistonServer> {
  // A computed specifier keeps the workers typecheck, which has no Node types, away from node:http.
  const http = (await import("node:http" as string)) as NodeHttpLike;
  const { port = 0, ...fakeOptions } = options;
  const fake = createFakePiston(fakeOptions);
  const handle = toNodeHandler((request) => fake.handle(request));
  const server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("fake piston: no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    fake,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Hanging requests would keep close() waiting forever.
        server.closeAllConnections?.();
      }),
  };
}
