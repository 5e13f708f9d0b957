import { ApiError, badField } from "./errors";
import { parseFaultPatch } from "./faults";
import { isScenarioName } from "./scenarios";
import { isRecord } from "./request-body";
import type { FaultPatch, FaultSettings, ScenarioName, SimExchange } from "./types";
import { SCENARIO_NAMES } from "./types";

/** Introspection and control under /sim/ (never /v1/); not authenticated. */

export interface SimControl {
  requests(sinceSeq: number): SimExchange[];
  clearRequests(): void;
  counts(): Record<string, number>;
  snapshot(): unknown;
  reset(scenario?: ScenarioName): void;
  advance(seconds: number): void;
  setFaults(patch: FaultPatch): void;
  faults(): FaultSettings;
  info(): unknown;
}

export function handleSim(
  control: SimControl,
  method: string,
  path: string,
  query: Record<string, string>,
  body: unknown,
): { status: number; json?: unknown } {
  const route = `${method} ${path.replace(/\/+$/, "")}`;
  switch (route) {
    case "GET /sim":
      return { status: 200, json: control.info() };
    case "GET /sim/requests":
      return { status: 200, json: control.requests(Number(query.since ?? 0) || 0) };
    case "DELETE /sim/requests":
      control.clearRequests();
      return { status: 204 };
    case "GET /sim/counts":
      return { status: 200, json: control.counts() };
    case "GET /sim/state":
      return { status: 200, json: control.snapshot() };
    case "POST /sim/reset": {
      const name = isRecord(body) ? body.scenario : undefined;
      if (name !== undefined && !isScenarioName(name)) throw unknownScenario("scenario", name);
      control.reset(name);
      return { status: 200, json: control.snapshot() };
    }
    case "POST /sim/scenario": {
      const name = isRecord(body) ? body.name : undefined;
      if (!isScenarioName(name)) throw unknownScenario("name", name);
      control.reset(name);
      return { status: 200, json: control.snapshot() };
    }
    case "POST /sim/clock/advance": {
      const seconds = isRecord(body) ? body.seconds : undefined;
      if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) {
        throw badField("seconds", "must be a number of simulated seconds >= 0", 'Send {"seconds": 600}.');
      }
      control.advance(seconds);
      return { status: 200, json: { advancedSeconds: seconds } };
    }
    case "GET /sim/faults":
      return { status: 200, json: control.faults() };
    case "POST /sim/faults":
      control.setFaults(parseFaultPatch(body));
      return { status: 200, json: control.faults() };
    default:
      throw new ApiError(
        404,
        "NOT_FOUND",
        `No simulator endpoint ${method} ${path}`,
        "Simulator routes: GET /sim/requests, GET /sim/counts, GET /sim/state, POST /sim/reset, POST /sim/scenario, POST /sim/clock/advance, GET|POST /sim/faults.",
      );
  }
}

function unknownScenario(field: string, value: unknown): ApiError {
  return badField(field, `'${String(value)}' is not a scenario`, `Use one of: ${SCENARIO_NAMES.join(", ")}.`);
}
