/**
 * A real HTTP proxy on 127.0.0.1:0 in front of the simulator, for answers the simulator does not give on
 * purpose (a 503 right after SDDC Manager's restart, refused credentials, a failing validation). Every other
 * request is forwarded unchanged.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { trickle } from "../support/trickle";

export interface ProxiedRequest {
  method: string;
  /** Path without the query. */
  path: string;
  body: string;
}

export interface CannedReply {
  status: number;
  /** Headers, then one byte now and then, never finishing (status and body are not used). */
  trickle?: boolean;
  body?: string;
  contentType?: string;
}

export interface ForwardedReply {
  status: number;
  body: string;
}

/** Decides per request: a canned reply, or undefined to forward it. */
export type ProxyRule = (req: ProxiedRequest) => CannedReply | undefined;

/** Rewrites a forwarded answer's body (undefined keeps it). */
export type ProxyRewrite = (req: ProxiedRequest, reply: ForwardedReply) => string | undefined;

export interface FaultProxy {
  url: string;
  /** Forwarded requests and the simulator's answers, in order. */
  seen: { req: ProxiedRequest; reply: ForwardedReply }[];
  /** The most requests it had at once, from arrival until its answer was sent or the connection closed. */
  maxInFlight(): number;
  stop(): Promise<void>;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export interface ProxyOptions {
  /** Holds each forwarded answer this long before sending it (the requests stay in flight meanwhile). */
  answerDelayMs?: number;
  /** Keeps a request until the promise returned for it settles, then forwards it (undefined: at once). */
  hold?: (req: ProxiedRequest) => Promise<void> | undefined;
  /**
   * Keeps a forwarded answer (the simulator has done the work) until the promise returned for it settles; "drop" then
   * closes the connection without an answer (undefined: the answer goes out at once).
   */
  holdAnswer?: (req: ProxiedRequest) => Promise<"send" | "drop"> | undefined;
}

export async function startFaultProxy(
  targetUrl: string,
  rule: ProxyRule,
  rewrite: ProxyRewrite = () => undefined,
  options: ProxyOptions = {},
): Promise<FaultProxy> {
  const seen: FaultProxy["seen"] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    res.once("close", () => inFlight--);
    void (async () => {
      const body = await readBody(req);
      const url = req.url ?? "/";
      const proxied: ProxiedRequest = { method: req.method ?? "GET", path: url.split("?")[0] ?? url, body };
      await options.hold?.(proxied);
      const canned = rule(proxied);
      if (canned?.trickle) {
        trickle(res);
        return;
      }
      if (canned) {
        res.writeHead(canned.status, { "Content-Type": canned.contentType ?? "application/json" });
        res.end(canned.body ?? "");
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ["authorization", "content-type", "accept"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      const answer = await fetch(`${targetUrl}${url}`, {
        method: proxied.method,
        headers,
        body: body === "" ? undefined : body,
      });
      const forwarded: ForwardedReply = { status: answer.status, body: await answer.text() };
      seen.push({ req: proxied, reply: forwarded });
      const text = rewrite(proxied, forwarded) ?? forwarded.body;
      if (options.answerDelayMs) await new Promise((resolve) => setTimeout(resolve, options.answerDelayMs));
      if ((await options.holdAnswer?.(proxied)) === "drop") {
        res.destroy();
        return;
      }
      res.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "application/json" });
      res.end(text);
    })().catch(() => res.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    maxInFlight: () => maxInFlight,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
