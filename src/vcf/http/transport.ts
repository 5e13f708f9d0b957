import type { AxiosInstance } from "axios";
import axios from "axios";
import type { ConnectionAgents } from "./agents";
import { errorFromFailure } from "./error-mapping";

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  /** path below the base URL, starting with /v1/ */
  path: string;
  query?: Record<string, string | undefined>;
  /** serialised with JSON.stringify */
  json?: unknown;
  /** sent byte for byte, still labelled application/json (the token refresh wants the bare id) */
  rawJson?: string;
  bearerToken?: string;
  signal?: AbortSignal;
  /** safe to send again although not a GET (token calls); only affects VcfApiError.retryable */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  contentType?: string;
  text: string;
}

/** The largest answer read (bytes); a bigger one is cut off, not buffered: SDDC Manager's largest lists are a few MB. */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024;

export interface TransportSettings {
  baseUrl: string;
  /** Total time for one exchange: connecting, sending, the headers and the whole body. */
  timeoutMs: number;
  agents: ConnectionAgents;
}

/**
 * One HTTP exchange, nothing more: no auth decisions, no retries. Every HTTP status is returned as data;
 * failures without an HTTP answer become a VcfApiError (the axios error, which holds the headers, is dropped).
 */
export class HttpTransport {
  private readonly axios: AxiosInstance;

  constructor(private readonly settings: TransportSettings) {
    this.axios = axios.create({
      baseURL: settings.baseUrl,
      // the idle timeout stays as a second guard; the total limit is the signal in send()
      timeout: settings.timeoutMs,
      maxContentLength: MAX_RESPONSE_BYTES,
      maxRedirects: 0,
      responseType: "text",
      // bodies are (de)serialised here, not by axios: the refresh id must go out unquoted
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: false },
    });
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const headers: Record<string, string> = { Accept: "application/json" };
    let data: string | undefined;
    if (request.rawJson !== undefined) data = request.rawJson;
    else if (request.json !== undefined) data = JSON.stringify(request.json);
    if (data !== undefined) headers["Content-Type"] = "application/json";
    if (request.bearerToken) headers.Authorization = `Bearer ${request.bearerToken}`;
    // the socket idle timeout alone lets a server that trickles its answer hold a request open forever
    const totalLimit = AbortSignal.timeout(Math.ceil(this.settings.timeoutMs)); // it takes whole ms only
    const signal = request.signal ? AbortSignal.any([request.signal, totalLimit]) : totalLimit;
    // one agent serves both fields: the base URL fixes the protocol, and redirects are not followed
    const agent = this.settings.agents.agentFor(request.method);
    try {
      const response = await this.axios.request<string>({
        httpAgent: agent,
        httpsAgent: agent,
        method: request.method,
        url: request.path,
        params: definedOnly(request.query),
        data,
        headers,
        signal,
      });
      const contentType = response.headers["content-type"];
      return {
        status: response.status,
        statusText: response.statusText ?? "",
        contentType: typeof contentType === "string" ? contentType : undefined,
        text: typeof response.data === "string" ? response.data : "",
      };
    } catch (failure: unknown) {
      const overTime = totalLimit.aborted && !request.signal?.aborted;
      throw errorFromFailure(request, failure, {
        timeoutMs: this.settings.timeoutMs,
        overTime,
        maxBytes: MAX_RESPONSE_BYTES,
      });
    }
  }

  /** Closes the connections; requests still running fail. */
  close(): void {
    this.settings.agents.destroy();
  }
}

function definedOnly(query: Record<string, string | undefined> | undefined): Record<string, string> | undefined {
  if (!query) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) if (value !== undefined) out[key] = value;
  return out;
}
