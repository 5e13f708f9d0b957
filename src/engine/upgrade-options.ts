// The options that decide downtime (UPGRADE-API.md §14.4), as a node or msg.upgradeOptions gives them: checked against
// the limits of the 5.2.1 spec, and described for the run's log. An option left out is not sent: SDDC Manager's default.
import { capText, NAME_CAP } from "../vcf/text-cap";
import { engineText, type EngineText } from "./catalog";
import { EngineError } from "./errors";
import { isoInstant } from "./windows/instant";

/** Clusters (or NSX host and edge clusters) upgraded all at once, or one after another. */
export type Order = "parallel" | "sequential";

/** What a host that cannot enter maintenance mode does (the spec's esxUpgradeFailureAction). */
export type MaintenanceModeFailure =
  | { action: "FAIL" }
  | {
      action: "RETRY";
      /** Attempts, 3-100 (the spec's retryCount). */
      retryCount: number;
      /** Seconds between attempts, 300-3600 (the spec's retryDelay). */
      retryDelay: number;
    };

export interface EsxOptions {
  quickBoot?: boolean;
  /** Live patching without full maintenance mode; image-based (vLCM) clusters only. */
  quickPatch?: boolean;
  /** Also move powered-off VMs off a host before it enters maintenance mode. */
  evacuateOfflineVms?: boolean;
  enforceHclValidation?: boolean;
  maintenanceModeFailure?: MaintenanceModeFailure;
  clusters?: Order;
}

export interface NsxOptions {
  hostClusters?: Order;
  edgeClusters?: Order;
}

export type TemporaryNetwork =
  { mode: "AUTOMATIC" } | { mode: "STATIC"; ipAddress: string; subnetMask: string; gateway: string };

/**
 * When a reduced-downtime migration switches over to the new vCenter: as soon as it is ready, at a time (ISO 8601,
 * UTC), or at the start of the run's next maintenance window (the migration itself starts outside it).
 */
export type Switchover = { when: "ready" } | { when: "at"; at: string } | { when: "window" };

export interface VcenterOptions {
  mechanism?: "InPlace" | "ReducedDowntimeMigration";
  /** Required with ReducedDowntimeMigration: the address the new appliance uses until the switchover. */
  temporaryNetwork?: TemporaryNetwork;
  /** ReducedDowntimeMigration only; absent: as soon as ready. */
  switchover?: Switchover;
}

/** The options a run upgrades with; recorded in the run when its upgrade phase starts, so a restart uses the same. */
export interface UpgradeOptions {
  esx?: EsxOptions;
  nsx?: NsxOptions;
  vcenter?: VcenterOptions;
}

/** The spec's limits of esxUpgradeFailureAction (EsxUpgradeFailureAction in vcf-5.2.1-openapi.json). */
export const RETRY_COUNT = { min: 3, max: 100 } as const;
export const RETRY_DELAY_SECONDS = { min: 300, max: 3600 } as const;

const ORDERS: readonly Order[] = ["parallel", "sequential"];
const MECHANISMS = ["InPlace", "ReducedDowntimeMigration"] as const;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

type Source = Record<string, unknown>;

/** A value as the error shows it. */
function shown(value: unknown): string {
  return capText(JSON.stringify(value) ?? String(value), NAME_CAP);
}

function bad(field: string, value: unknown, allowed: EngineText): EngineError {
  return new EngineError("BAD_INPUT", engineText("optionBad", { field, value: shown(value), allowed }), {
    field,
    fix: engineText("optionBadFix", { field, allowed }),
  });
}

/** The keys of `value` (an object, else an error), each of them one of `known`. */
function objectAt(field: string, value: unknown, known: readonly string[]): Source {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw bad(field, value, engineText("allowedObject", { keys: known.join(", ") }));
  const source = value as Source;
  for (const key of Object.keys(source)) {
    if (!known.includes(key))
      throw new EngineError(
        "BAD_INPUT",
        engineText("optionUnknown", { field: `${field}.${key}`, known: known.join(", ") }),
        {
          field: `${field}.${key}`,
          fix: engineText("optionUnknownFix", { known: known.join(", ") }),
        },
      );
  }
  return source;
}

/** Null and undefined both mean "not chosen". */
function given(source: Source, key: string): unknown {
  const value = source[key];
  return value === null ? undefined : value;
}

function booleanAt(source: Source, field: string, key: string): boolean | undefined {
  const value = given(source, key);
  if (value === undefined || typeof value === "boolean") return value;
  throw bad(`${field}.${key}`, value, engineText("allowedBoolean"));
}

function choiceAt<T extends string>(source: Source, field: string, key: string, values: readonly T[]): T | undefined {
  const value = given(source, key);
  if (value === undefined || (typeof value === "string" && (values as readonly string[]).includes(value)))
    return value as T | undefined;
  throw bad(`${field}.${key}`, value, engineText("allowedChoice", { values: values.join(", ") }));
}

function integerAt(source: Source, field: string, key: string, range: { min: number; max: number }): number {
  const value = given(source, key);
  if (typeof value === "number" && Number.isInteger(value) && value >= range.min && value <= range.max) return value;
  throw bad(`${field}.${key}`, value, engineText("allowedInteger", range));
}

function ipv4At(source: Source, field: string, key: string, mask: boolean): string {
  const value = given(source, key);
  if (typeof value === "string" && IPV4.test(value) && (!mask || isSubnetMask(value))) return value;
  throw bad(`${field}.${key}`, value, mask ? engineText("allowedMask") : engineText("allowedIpv4"));
}

/** A mask's ones are contiguous from the left (255.255.255.0, not 255.0.255.0). */
function isSubnetMask(text: string): boolean {
  const bits = text
    .split(".")
    .map((part) => Number(part).toString(2).padStart(8, "0"))
    .join("");
  return /^1+0*$/.test(bits);
}

function checkMaintenanceModeFailure(field: string, value: unknown): MaintenanceModeFailure {
  const source = objectAt(field, value, ["action", "retryCount", "retryDelay"]);
  const action = choiceAt(source, field, "action", ["FAIL", "RETRY"] as const);
  if (action === "RETRY")
    return {
      action,
      retryCount: integerAt(source, field, "retryCount", RETRY_COUNT),
      retryDelay: integerAt(source, field, "retryDelay", RETRY_DELAY_SECONDS),
    };
  if (action === undefined)
    throw bad(`${field}.action`, undefined, engineText("allowedChoice", { values: "FAIL, RETRY" }));
  // The spec: with FAIL, retryCount and retryDelay should not be set.
  for (const key of ["retryCount", "retryDelay"])
    if (given(source, key) !== undefined) throw bad(`${field}.${key}`, source[key], engineText("allowedOnlyWithRetry"));
  return { action };
}

function checkEsx(field: string, value: unknown): EsxOptions {
  const source = objectAt(field, value, [
    "quickBoot",
    "quickPatch",
    "evacuateOfflineVms",
    "enforceHclValidation",
    "maintenanceModeFailure",
    "clusters",
  ]);
  const esx: EsxOptions = {
    quickBoot: booleanAt(source, field, "quickBoot"),
    quickPatch: booleanAt(source, field, "quickPatch"),
    evacuateOfflineVms: booleanAt(source, field, "evacuateOfflineVms"),
    enforceHclValidation: booleanAt(source, field, "enforceHclValidation"),
    clusters: choiceAt(source, field, "clusters", ORDERS),
  };
  const failure = given(source, "maintenanceModeFailure");
  if (failure !== undefined)
    esx.maintenanceModeFailure = checkMaintenanceModeFailure(`${field}.maintenanceModeFailure`, failure);
  return esx;
}

function checkNsx(field: string, value: unknown): NsxOptions {
  const source = objectAt(field, value, ["hostClusters", "edgeClusters"]);
  return {
    hostClusters: choiceAt(source, field, "hostClusters", ORDERS),
    edgeClusters: choiceAt(source, field, "edgeClusters", ORDERS),
  };
}

function checkNetwork(field: string, value: unknown): TemporaryNetwork {
  const source = objectAt(field, value, ["mode", "ipAddress", "subnetMask", "gateway"]);
  const mode = choiceAt(source, field, "mode", ["STATIC", "AUTOMATIC"] as const);
  if (mode === "STATIC")
    return {
      mode,
      ipAddress: ipv4At(source, field, "ipAddress", false),
      subnetMask: ipv4At(source, field, "subnetMask", true),
      gateway: ipv4At(source, field, "gateway", false),
    };
  if (mode === undefined)
    throw bad(`${field}.mode`, undefined, engineText("allowedChoice", { values: "STATIC, AUTOMATIC" }));
  for (const key of ["ipAddress", "subnetMask", "gateway"])
    if (given(source, key) !== undefined) throw bad(`${field}.${key}`, source[key], engineText("allowedOnlyStatic"));
  return { mode };
}

/** "ready", "window", or a date-time with a time zone, kept as UTC. */
function checkSwitchover(field: string, value: unknown): Switchover {
  if (value === "ready" || value === "window") return { when: value };
  const ms = isoInstant(value);
  if (ms !== undefined) return { when: "at", at: new Date(ms).toISOString() };
  throw bad(field, value, engineText("allowedSwitchover"));
}

function checkVcenter(field: string, value: unknown): VcenterOptions {
  const source = objectAt(field, value, ["mechanism", "temporaryNetwork", "switchover"]);
  const vcenter: VcenterOptions = { mechanism: choiceAt(source, field, "mechanism", MECHANISMS) };
  const network = given(source, "temporaryNetwork");
  const switchover = given(source, "switchover");
  const reduced = vcenter.mechanism === "ReducedDowntimeMigration";
  if (reduced && network === undefined) throw bad(`${field}.temporaryNetwork`, undefined, engineText("allowedNetwork"));
  if (!reduced && (network !== undefined || switchover !== undefined))
    throw bad(`${field}.mechanism`, source.mechanism, engineText("allowedReducedDowntime"));
  if (network !== undefined) vcenter.temporaryNetwork = checkNetwork(`${field}.temporaryNetwork`, network);
  if (switchover !== undefined) vcenter.switchover = checkSwitchover(`${field}.switchover`, switchover);
  return vcenter;
}

/** Removes the options not chosen (undefined), and groups left empty. */
function pruned(options: UpgradeOptions): UpgradeOptions {
  const result: Record<string, Record<string, unknown>> = {};
  for (const [group, values] of Object.entries(options)) {
    const chosen = Object.fromEntries(
      Object.entries((values ?? {}) as Record<string, unknown>).filter(([, v]) => v !== undefined),
    );
    if (Object.keys(chosen).length > 0) result[group] = chosen;
  }
  return result;
}

/**
 * `value` (msg.upgradeOptions merged over the node's settings) as checked options; a bad value is a BAD_INPUT error
 * naming the field (e.g. upgradeOptions.esx.maintenanceModeFailure.retryCount) and the values allowed.
 */
export function checkUpgradeOptions(value: unknown, field = "upgradeOptions"): UpgradeOptions {
  if (value === undefined || value === null) return {};
  const source = objectAt(field, value, ["esx", "nsx", "vcenter"]);
  const esx = given(source, "esx");
  const nsx = given(source, "nsx");
  const vcenter = given(source, "vcenter");
  return pruned({
    esx: esx === undefined ? undefined : checkEsx(`${field}.esx`, esx),
    nsx: nsx === undefined ? undefined : checkNsx(`${field}.nsx`, nsx),
    vcenter: vcenter === undefined ? undefined : checkVcenter(`${field}.vcenter`, vcenter),
  });
}

/** The options for the run's log and summary, e.g. "ESXi: quick boot on, clusters in parallel; NSX: ...". */
export function describeUpgradeOptions(options: UpgradeOptions): string {
  const parts: string[] = [];
  const { esx, nsx, vcenter } = options;
  if (esx) {
    const said: string[] = [];
    const flag = (name: string, v: boolean | undefined): void => {
      if (v !== undefined) said.push(`${name} ${v ? "on" : "off"}`);
    };
    flag("quick boot", esx.quickBoot);
    flag("quick patch", esx.quickPatch);
    flag("evacuate powered-off VMs", esx.evacuateOfflineVms);
    flag("enforce HCL validation", esx.enforceHclValidation);
    const failure = esx.maintenanceModeFailure;
    if (failure)
      said.push(
        failure.action === "FAIL"
          ? "on maintenance-mode failure: fail"
          : `on maintenance-mode failure: retry ${failure.retryCount} times every ${failure.retryDelay} s`,
      );
    if (esx.clusters) said.push(`clusters ${esx.clusters === "parallel" ? "in parallel" : "one at a time"}`);
    parts.push(`ESXi: ${said.join(", ")}`);
  }
  if (nsx) {
    const said: string[] = [];
    if (nsx.hostClusters) said.push(`host clusters ${nsx.hostClusters === "parallel" ? "in parallel" : "one by one"}`);
    if (nsx.edgeClusters) said.push(`edge clusters ${nsx.edgeClusters === "parallel" ? "in parallel" : "one by one"}`);
    parts.push(`NSX: ${said.join(", ")}`);
  }
  if (vcenter?.mechanism) {
    const network = vcenter.temporaryNetwork;
    const where = !network
      ? ""
      : network.mode === "AUTOMATIC"
        ? ", temporary network automatic"
        : `, temporary network ${network.ipAddress}/${network.subnetMask} via ${network.gateway}`;
    const when =
      vcenter.mechanism !== "ReducedDowntimeMigration"
        ? ""
        : vcenter.switchover?.when === "at"
          ? `, switchover at ${vcenter.switchover.at}`
          : vcenter.switchover?.when === "window"
            ? ", switchover at the start of the next maintenance window"
            : ", switchover as soon as ready";
    parts.push(
      `vCenter: ${vcenter.mechanism === "InPlace" ? "in place" : "reduced-downtime migration"}${where}${when}`,
    );
  }
  return parts.length > 0 ? parts.join("; ") : "SDDC Manager's defaults";
}
