import { SimApp } from "./app";
import { listen } from "./server";
import { isScenarioName } from "./scenarios";
import type { RunningSimulator, SimulatorOptions } from "./types";

export type {
  ComponentKind,
  FaultPatch,
  FaultSettings,
  PhaseDurations,
  PrecheckFindings,
  RunningSimulator,
  ScenarioName,
  SimExchange,
  SimulatorOptions,
} from "./types";
export { SCENARIO_NAMES } from "./types";
export { DEFAULT_DURATIONS, DEFAULT_FAULTS } from "./scenarios";

export const DEFAULT_USERNAME = "administrator@vsphere.local";
/** A simulator test credential (not a secret of any real system). */
export const DEFAULT_PASSWORD = "VMware123!Sim";

/** Starts an SDDC Manager simulator; stop it with the returned handle. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const resolved = validateOptions(options);
  const app = new SimApp({
    scenario: resolved.scenario,
    domains: options.domains,
    faults: options.faults ?? {},
    tokenLifetimeSeconds: options.tokenLifetimeSeconds,
    username: resolved.username,
    password: resolved.password,
    strict: options.strict ?? true,
    timeScale: resolved.timeScale,
  });
  const listener = await listen(resolved.host, options.port ?? 0, options.tls ?? false, (req, res) =>
    app.handle(req, res),
  );
  const hostInUrl = resolved.host.includes(":") ? `[${resolved.host}]` : resolved.host;
  const sim: RunningSimulator = {
    url: `${options.tls ? "https" : "http"}://${hostInUrl}:${listener.port}`,
    port: listener.port,
    credentials: { username: resolved.username, password: resolved.password },
    requestLog: (sinceSeq) => app.requests(sinceSeq),
    clearRequestLog: () => app.clearRequests(),
    advanceClock: (s) => app.advance(s),
    setScenario: (name) => {
      if (!isScenarioName(name)) throw new Error(`Unknown scenario '${String(name)}'`);
      app.reset(name);
    },
    setFaults: (f) => app.setFaults(f),
    state: () => app.snapshot(),
    stop: () => listener.close(),
  };
  if (listener.caCertificatePem) sim.caCertificatePem = listener.caCertificatePem;
  return sim;
}

function validateOptions(o: SimulatorOptions): {
  host: string;
  scenario: NonNullable<SimulatorOptions["scenario"]>;
  timeScale: number;
  username: string;
  password: string;
} {
  const scenario = o.scenario ?? "happy";
  if (!isScenarioName(scenario)) throw new Error(`Unknown scenario '${String(scenario)}'`);
  const timeScale = o.timeScale ?? 1;
  if (!Number.isFinite(timeScale) || timeScale <= 0)
    throw new Error(`timeScale must be a number above 0, got ${timeScale}`);
  if (o.domains !== undefined && (!Number.isInteger(o.domains) || o.domains < 1 || o.domains > 50))
    throw new Error(`domains must be an integer from 1 to 50, got ${o.domains}`);
  if (o.port !== undefined && (!Number.isInteger(o.port) || o.port < 0 || o.port > 65535))
    throw new Error(`port must be an integer from 0 to 65535, got ${o.port}`);
  return {
    host: o.host ?? "127.0.0.1",
    scenario,
    timeScale,
    username: o.username ?? DEFAULT_USERNAME,
    password: o.password ?? DEFAULT_PASSWORD,
  };
}
