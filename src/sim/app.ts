import type { IncomingMessage, ServerResponse } from "node:http";
import { apiRoutes } from "./api-routes";
import { AuthService } from "./auth";
import { SimClock } from "./clock";
import { ApiError } from "./errors";
import type { FaultAction } from "./faults";
import { flakyFault, htmlErrorPage } from "./faults";
import { apiGenerationOf, speaks90 } from "./generation";
import { seededRandom } from "./ids";
import { toJson } from "./float-json";
import { redact, RequestLog } from "./request-log";
import type { ApiReply } from "./router";
import { Router } from "./router";
import { MANY_DOMAINS_DEFAULT, mergeFaults, scenarioFaults } from "./scenarios";
import type { SimControl } from "./sim-routes";
import { handleSim } from "./sim-routes";
import { SimState } from "./state";
import type { FaultPatch, FaultSettings, ScenarioName, SimExchange } from "./types";

/** The request pipeline: /sim/ control, outage and flaky faults, routing, auth, handlers, lost responses, logging. */

export interface AppOptions {
  scenario: ScenarioName;
  domains?: number;
  faults: FaultPatch;
  tokenLifetimeSeconds?: number;
  username: string;
  password: string;
  strict: boolean;
  timeScale: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

export class SimApp implements SimControl {
  readonly clock: SimClock;
  private state: SimState;
  private faultSettings: FaultSettings;
  private readonly log = new RequestLog();
  private readonly auth: AuthService;
  private readonly router: Router;
  private random = seededRandom(7);
  /** Numbers the referenceToken of Error bodies. */
  private errorCount = 0;

  constructor(private readonly options: AppOptions) {
    this.clock = new SimClock(options.timeScale);
    this.faultSettings = this.faultsFor(options.scenario);
    this.state = this.newState(options.scenario);
    this.auth = new AuthService(
      { username: options.username, password: options.password },
      {
        nowMs: () => this.clock.nowMs(),
        tokenLifetimeSeconds: () => this.faultSettings.tokenLifetimeSeconds,
        invalidatedBefore: (now) => this.state.upgrades.sessionsInvalidatedBefore(now),
      },
    );
    this.router = new Router(apiRoutes(() => this.state, this.auth, options.strict));
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://simulator");
    const method = req.method ?? "GET";
    const path = url.pathname;
    const query = Object.fromEntries(url.searchParams.entries());
    const rawBody = await readBody(req);
    if (rawBody === undefined)
      return void sendJson(res, {
        status: 413,
        json: { errorCode: "PAYLOAD_TOO_LARGE", message: "Request body over 1 MiB" },
      });
    const body = parseBody(rawBody);
    if (path === "/sim" || path.startsWith("/sim/")) return void sendJson(res, this.runSim(method, path, query, body));

    this.state.tick();
    const entry = {
      method,
      path,
      query,
      requestContentType: req.headers["content-type"],
      requestBody: redactBody(path, body),
    };
    const endpoint = this.router.endpointOf(method, path);
    const fault = this.faultFor(method);
    if (fault?.kind === "drop") {
      this.record({ ...entry, status: 0 }, endpoint);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === "html") {
      const html = htmlErrorPage(fault.status);
      this.record({ ...entry, status: fault.status, responseContentType: "text/html", responseBody: html }, endpoint);
      res.writeHead(fault.status, { "Content-Type": "text/html", "Content-Length": Buffer.byteLength(html) });
      res.end(html);
      return;
    }
    const reply = this.runApi(method, path, query, body, rawBody, req.headers.authorization);
    if (reply.status < 300 && this.faultSettings.dropResponseOf.includes(endpoint)) {
      // The operation went through; only its answer is lost.
      this.record({ ...entry, status: 0 }, endpoint);
      req.socket.destroy();
      return;
    }
    const text = reply.json === undefined ? "" : toJson(reply.json);
    this.record(
      {
        ...entry,
        status: reply.status,
        responseContentType: text ? "application/json" : undefined,
        responseBody: text ? redactBody(path, JSON.parse(text)) : undefined,
      },
      endpoint,
    );
    sendText(res, reply.status, text, reply.headers);
  }

  /** Logs an exchange with the API generation spoken when it was answered (the contract picks the spec by it). */
  private record(entry: Omit<SimExchange, "seq" | "at" | "apiGeneration">, endpoint: string): void {
    this.log.record({ ...entry, apiGeneration: apiGenerationOf(this.state.inventory) }, endpoint);
  }

  // --- SimControl (also used by the programmatic API) ---
  requests(sinceSeq = 0): SimExchange[] {
    return this.log.list(sinceSeq);
  }
  clearRequests(): void {
    this.log.clear();
  }
  counts(): Record<string, number> {
    return this.log.countsByEndpoint();
  }
  snapshot(): unknown {
    return {
      ...(this.state.snapshot() as object),
      simulatedTime: new Date(this.clock.nowMs()).toISOString(),
      faults: this.faultSettings,
    };
  }
  reset(scenario: ScenarioName = this.state.scenario): void {
    this.faultSettings = this.faultsFor(scenario);
    this.state = this.newState(scenario);
    this.random = seededRandom(7);
  }
  advance(seconds: number): void {
    this.clock.advance(seconds);
    this.state.tick();
  }
  setFaults(patch: FaultPatch): void {
    this.faultSettings = mergeFaults(this.faultSettings, patch);
  }
  faults(): FaultSettings {
    return this.faultSettings;
  }
  info(): unknown {
    return {
      scenario: this.state.scenario,
      timeScale: this.clock.timeScale,
      simulatedTime: new Date(this.clock.nowMs()).toISOString(),
      strict: this.options.strict,
    };
  }

  private faultsFor(scenario: ScenarioName): FaultSettings {
    const explicitLifetime =
      this.options.tokenLifetimeSeconds !== undefined
        ? [{ tokenLifetimeSeconds: this.options.tokenLifetimeSeconds }]
        : [];
    return scenarioFaults(scenario, [this.options.faults, ...explicitLifetime]);
  }

  private newState(scenario: ScenarioName): SimState {
    const viDomains =
      scenario === "many-domains" ? (this.options.domains ?? MANY_DOMAINS_DEFAULT) : (this.options.domains ?? 1);
    return new SimState(scenario, viDomains, this.clock, () => this.faultSettings, this.options.strict);
  }

  private faultFor(method: string): FaultAction | undefined {
    const outage = this.state.upgrades.outageAt(this.clock.nowMs());
    if (outage === "drop") return { kind: "drop" };
    if (outage === "html") return { kind: "html", status: 503 };
    return flakyFault(method, this.faultSettings, this.random);
  }

  private runApi(
    method: string,
    path: string,
    query: Record<string, string>,
    body: unknown,
    rawBody: string,
    authorization: string | undefined,
  ): ApiReply {
    try {
      const match = this.router.match(method, path);
      if (!match.route.public) this.auth.authenticate(authorization);
      return match.route.handle({ method, path, params: match.params, query, body, rawBody, authorization });
    } catch (error) {
      return this.errorReply(error);
    }
  }

  private errorReply(error: unknown): ApiReply {
    this.errorCount += 1;
    return errorReply(error, this.errorCount, speaks90(this.state.inventory));
  }

  private runSim(method: string, path: string, query: Record<string, string>, body: unknown): ApiReply {
    try {
      return handleSim(this, method, path, query, body);
    } catch (error) {
      return this.errorReply(error);
    }
  }
}

/** `api90`: the Error carries 9.0's remediationUrl beside the remediation. */
function errorReply(error: unknown, referenceNumber: number, api90: boolean): ApiReply {
  const reference = `SIM${referenceNumber.toString(36).toUpperCase().padStart(4, "0")}`;
  if (error instanceof ApiError) return { status: error.status, json: error.body(reference, api90) };
  const message = error instanceof Error ? error.message : String(error);
  return {
    status: 500,
    json: new ApiError(
      500,
      "INTERNAL_SERVER_ERROR",
      `Simulator error: ${message}`,
      "This is a simulator bug; report it with the request.",
    ).body(reference),
  };
}

/** Secrets in token exchanges are redacted; the refresh endpoints carry a bare id or token string. */
function redactBody(path: string, value: unknown): unknown {
  if (typeof value === "string" && path.startsWith("/v1/tokens")) return "***";
  return redact(value);
}

function parseBody(raw: string): unknown {
  if (raw.trim() === "") return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJson(res: ServerResponse, reply: ApiReply): void {
  sendText(res, reply.status, reply.json === undefined ? "" : toJson(reply.json), reply.headers);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  const all: Record<string, string | number> = { ...headers, "Content-Length": Buffer.byteLength(text) };
  if (text) all["Content-Type"] = "application/json";
  res.writeHead(status, all);
  res.end(text);
}
