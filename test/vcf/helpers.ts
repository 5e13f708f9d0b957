/** Test helpers for the client tests: a linked clock, a log collector, and a tiny misbehaving HTTP server. */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import type { VcfClientOptions } from "../../nodes/vcf/client";
import { VcfClient } from "../../nodes/vcf/client";
import { trickle } from "../support/trickle";
import type { RunningSimulator } from "../../nodes/sim/index";

export interface LogLine {
  level: string;
  text: string;
}

/**
 * A clock for the client that moves together with the simulator's clock: `advance` jumps both, so the client
 * sees token lifetimes pass without any real waiting. `advanceServerOnly` moves only the simulator (the
 * client is then surprised by an expired token).
 */
export class LinkedClock {
  private offsetMs = 0;
  readonly now = (): number => Date.now() + this.offsetMs;

  constructor(private readonly sim: RunningSimulator) {}

  advance(simSeconds: number): void {
    this.offsetMs += simSeconds * 1000;
    this.sim.advanceClock(simSeconds);
  }

  advanceServerOnly(simSeconds: number): void {
    this.sim.advanceClock(simSeconds);
  }
}

/** A client for `sim` with fast retries, collecting its log lines. */
export function simClient(
  sim: RunningSimulator,
  extra: Partial<VcfClientOptions> = {},
): { client: VcfClient; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const client = new VcfClient({
    baseUrl: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    tls: sim.caCertificatePem ? { ca: sim.caCertificatePem } : undefined,
    retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4 },
    requestTimeoutMs: 2000,
    log: (level, text) => logs.push({ level, text }),
    ...extra,
  });
  return { client, logs };
}

export { countRequests } from "../support/request-log";

/** What a stub route answers: a reply, "hang" (never answer), "drop" (destroy the socket) or "trickle" (a never-ending answer). */
export type StubReply = { status: number; contentType?: string; body?: string } | "hang" | "drop" | "trickle";

export interface StubRequest {
  method: string;
  path: string;
  /** path with the query string */
  url: string;
  body: string;
  authorization?: string;
  /** which connection it came on: 1 for the server's first, 2 for the next, ... */
  connection: number;
}

export interface StubServer {
  url: string;
  requests: StubRequest[];
  /** connections accepted so far */
  connections(): number;
  /** resolves once no connection is open */
  allClosed(): Promise<void>;
  stop(): Promise<void>;
}

export const STUB_ACCESS_TOKEN = "stub-access-token-0123456789";
export const STUB_REFRESH_ID = "stub-refresh-id-9876543210";

/**
 * A real HTTP server on 127.0.0.1:0 standing in for a proxy or a broken server, for the answers the
 * simulator does not give (HTML or empty bodies, hanging requests). POST /v1/tokens always works unless
 * `route` answers it.
 */
export async function startStub(
  route: (request: StubRequest) => StubReply | Promise<StubReply> | undefined,
): Promise<StubServer> {
  const requests: StubRequest[] = [];
  const sockets = new Set<Socket>();
  const connectionIds = new WeakMap<Socket, number>();
  let closedWaiters: Array<() => void> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const request: StubRequest = {
        method: req.method ?? "",
        path: (req.url ?? "").split("?", 1).join(""),
        url: req.url ?? "",
        body: Buffer.concat(chunks).toString("utf8"),
        authorization: req.headers.authorization,
        connection: connectionIds.get(req.socket) ?? 0,
      };
      requests.push(request);
      const reply = (await route(request)) ?? defaultReply(request);
      if (reply === "hang") return;
      if (reply === "trickle") {
        trickle(res);
        return;
      }
      if (reply === "drop") {
        req.socket.destroy();
        return;
      }
      res.writeHead(reply.status, reply.contentType ? { "Content-Type": reply.contentType } : {});
      res.end(reply.body ?? "");
    });
  });
  let accepted = 0;
  server.on("connection", (socket) => {
    sockets.add(socket);
    connectionIds.set(socket, ++accepted);
    socket.on("close", () => {
      sockets.delete(socket);
      if (sockets.size > 0) return;
      for (const resolve of closedWaiters) resolve();
      closedWaiters = [];
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    connections: () => accepted,
    allClosed: () =>
      sockets.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => closedWaiters.push(resolve)),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function defaultReply(request: StubRequest): StubReply {
  if (request.method === "POST" && request.path === "/v1/tokens") {
    return {
      status: 200,
      contentType: "application/json",
      body: JSON.stringify({ accessToken: STUB_ACCESS_TOKEN, refreshToken: { id: STUB_REFRESH_ID } }),
    };
  }
  return {
    status: 404,
    contentType: "application/json",
    body: JSON.stringify({ errorCode: "NOT_FOUND", message: "no such stub route" }),
  };
}

const JWT_SHAPE = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

/** Fails if any text holds one of the secrets, the word "Bearer", or anything shaped like a JWT. */
export function assertNoSecrets(texts: readonly string[], secrets: readonly string[]): void {
  for (const text of texts) {
    for (const secret of [...secrets, "Bearer"]) {
      if (text.includes(secret)) throw new Error(`"${secret}" leaked into: ${text}`);
    }
    if (JWT_SHAPE.test(text)) throw new Error(`a JWT leaked into: ${text}`);
  }
}

/** Every way an error turns into text. */
export function errorTexts(error: unknown): string[] {
  return [
    String(error),
    JSON.stringify(error),
    error instanceof Error ? error.message : "",
    error instanceof Error ? (error.stack ?? "") : "",
  ];
}

/** Runs `work`, expecting it to reject, and returns the rejection. */
export async function rejectionOf(work: Promise<unknown>): Promise<unknown> {
  try {
    await work;
  } catch (error: unknown) {
    return error;
  }
  throw new Error("expected a rejection, but the call succeeded");
}
