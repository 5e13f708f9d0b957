// vcf-fleet's settings: the node's fields, with msg.fleet overriding any of them for one start. Each value is checked
// before anything is read from SDDC Manager; a wrong one is refused naming the field and what it takes.
import {
  DEFAULT_FLEET_CONCURRENCY,
  DEFAULT_START_DEADLINE_MS,
  MAX_FLEET_CONCURRENCY,
  type FleetSettings,
} from "../engine";
import { ackPolicy, type AckNodeSettings } from "./ack-control";
import { describeType } from "./domain-ref";
import { InputError } from "./errors";
import { t } from "./i18n";
import type { NodeDef, NodeMessage } from "./node-red-types";

export interface FleetDef extends NodeDef, AckNodeSettings {
  server?: string;
  /** Empty: every domain; else names (or ids) separated by commas. */
  domains?: string;
  /** Empty: each domain's next release. */
  targetVersion?: string;
  concurrency?: number | string;
  onFailure?: string;
  /** "domain": each domain's gate as the flow's await-ack node says; "fleet": the rule below for every run. */
  acknowledgement?: string;
  /** Minutes a start message may take to become a run. */
  startDeadline?: number | string;
  markdownMaxBytes?: number | string;
}

const VERSION = /^\d+\.\d+\.\d+(\.\d+)?$/;

function domainList(value: unknown, field: string): FleetSettings["domains"] {
  if (value === undefined || value === null || value === "" || value === "all") return "all";
  const items = typeof value === "string" ? value.split(",") : Array.isArray(value) ? value : undefined;
  if (!items || items.some((d) => typeof d !== "string"))
    throw new InputError(field, t("vcf-fleet.errors.domains", { field, value: describeType(value) }));
  const names = (items as string[]).map((d) => d.trim()).filter(Boolean);
  return names.length > 0 ? names : "all";
}

function target(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === "" || value === "next") return undefined;
  if (typeof value !== "string" || !VERSION.test(value.trim()))
    throw new InputError(field, t("vcf-fleet.errors.targetVersion", { field, value: describeType(value) }));
  return value.trim();
}

function concurrency(value: unknown, field: string): number {
  if (value === undefined || value === null || value === "") return DEFAULT_FLEET_CONCURRENCY;
  const n = Number(value);
  if (typeof value === "boolean" || !Number.isInteger(n) || n < 1 || n > MAX_FLEET_CONCURRENCY)
    throw new InputError(
      field,
      t("vcf-fleet.errors.concurrency", { field, max: MAX_FLEET_CONCURRENCY, value: describeType(value) }),
    );
  return n;
}

function choice<T extends string>(value: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined || value === null || value === "") return fallback;
  if (typeof value !== "string" || !allowed.includes(value as T))
    throw new InputError(
      field,
      t("vcf-fleet.errors.choice", { field, allowed: allowed.join(", "), value: describeType(value) }),
    );
  return value as T;
}

/** The settings of one start: the node's, with what msg.fleet overrides. */
export function readFleetSettings(def: FleetDef, msg: NodeMessage): FleetSettings {
  const o = msg.fleet;
  if (o !== undefined && (typeof o !== "object" || o === null || Array.isArray(o)))
    throw new InputError("msg.fleet", t("vcf-fleet.errors.fleetObject", { value: describeType(o) }));
  const over = (o ?? {}) as Record<string, unknown>;
  const from = (key: string, nodeValue: unknown): [unknown, string] =>
    key in over ? [over[key], `msg.fleet.${key}`] : [nodeValue, t(`vcf-fleet.label.${key}`)];
  const settings: FleetSettings = {
    domains: domainList(...from("domains", def.domains)),
    concurrency: concurrency(...from("concurrency", def.concurrency)),
    onFailure: choice(...from("onFailure", def.onFailure), ["stop", "continue"] as const, "stop"),
  };
  const version = target(...from("targetVersion", def.targetVersion));
  if (version) settings.targetVersion = version;
  const ack = choice(...from("acknowledgement", def.acknowledgement), ["domain", "fleet"] as const, "domain");
  if (ack === "fleet") settings.ackPolicy = ackPolicy(def);
  return settings;
}

/** The start deadline in ms; flows saved before the setting existed get the default. */
export function startDeadlineMs(def: FleetDef): number {
  const minutes = Number(def.startDeadline);
  return def.startDeadline !== "" && Number.isFinite(minutes) && minutes > 0
    ? minutes * 60_000
    : DEFAULT_START_DEADLINE_MS;
}

/** What a message asks the fleet node: start, cancel, acknowledge the waiting runs, or send the current summary. */
export type FleetCommand = "start" | "acknowledge" | "summary";

export function readFleetCommand(msg: NodeMessage): FleetCommand {
  if (msg.payload === "acknowledge" || msg.acknowledge === true) return "acknowledge";
  if (msg.payload === "status" || msg.payload === "summary") return "summary";
  if (msg.payload === "start" || msg.fleet !== undefined) return "start";
  throw new InputError("msg.payload", t("vcf-fleet.errors.command", { value: describeType(msg.payload) }));
}
