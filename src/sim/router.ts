import { ApiError } from "./errors";

/** Method + path-template routing ("/v1/domains/{id}"), with 405 for a known path and a wrong method. */

export interface ApiRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Parsed JSON, or the raw text when it is not JSON, undefined when empty. */
  body: unknown;
  rawBody: string;
  authorization?: string;
}

export interface ApiReply {
  status: number;
  /** JSON body; omitted for empty responses. */
  json?: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: string;
  template: string;
  /** No bearer token needed (token endpoints). */
  public?: boolean;
  handle(req: ApiRequest): ApiReply;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

export class Router {
  constructor(private readonly routes: readonly Route[]) {}

  /** The matching route, or a 405/404 ApiError. */
  match(method: string, path: string): RouteMatch {
    const candidates = this.routes.flatMap((route) => {
      const params = matchTemplate(route.template, path);
      return params ? [{ route, params }] : [];
    });
    // Literal segments beat parameters (e.g. /v1/system/check-sets/queries vs /v1/system/check-sets/{runId}).
    candidates.sort((a, b) => Object.keys(a.params).length - Object.keys(b.params).length);
    const hit = candidates.find((c) => c.route.method === method);
    if (hit) {
      const literal = candidates[0];
      if (literal && Object.keys(literal.params).length < Object.keys(hit.params).length)
        throw methodNotAllowed(method, path);
      return hit;
    }
    if (candidates.length > 0) throw methodNotAllowed(method, path);
    throw new ApiError(
      404,
      "NOT_FOUND",
      `No API endpoint ${method} ${path}`,
      "Check the path against the VCF 5.2 API reference.",
      [path],
    );
  }

  /** "GET /v1/domains/{id}" for counting. */
  endpointOf(method: string, path: string): string {
    try {
      return `${method} ${this.match(method, path).route.template}`;
    } catch {
      return `${method} ${path}`;
    }
  }
}

function methodNotAllowed(method: string, path: string): ApiError {
  return new ApiError(
    405,
    "METHOD_NOT_ALLOWED",
    `Request method '${method}' is not supported for ${path}`,
    "Use the HTTP method the API reference gives for this path.",
    [method],
  );
}

function matchTemplate(template: string, path: string): Record<string, string> | undefined {
  const t = template.split("/");
  const p = path.split("/");
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, seg] of t.entries()) {
    const actual = p[i];
    if (seg.startsWith("{")) {
      if (!actual) return undefined;
      params[seg.slice(1, -1)] = decodeURIComponent(actual);
    } else if (seg !== actual) {
      return undefined;
    }
  }
  return params;
}
