// A fleet: the domains of one SDDC Manager upgraded in VMware's order (the management domain first, then the VI
// domains a few at a time), each through the flow's usual phase nodes. The record is persisted, so a fleet half done
// continues after a restart.
import type { AckPolicy } from "../types";

/** Where a domain of the fleet stands. */
export type MemberState =
  /** Not started yet; starts when its turn and a slot come. */
  | "pending"
  /** Its start message went out; no run seen yet. */
  | "starting"
  /** Its run is active. */
  | "running"
  | "done"
  | "failed"
  /** Nothing to do: already at the target (or no newer release offered). */
  | "skipped"
  /** Never started: the failure policy, a cancel, or a domain that cannot be upgraded now. */
  | "not_started";

export const ACTIVE_MEMBER_STATES: readonly MemberState[] = ["starting", "running"];

export interface FleetMember {
  domainId: string;
  domainName: string;
  management: boolean;
  /** The version the domain had when the fleet started. */
  sourceVersion?: string;
  state: MemberState;
  runId?: string;
  /** When its start message went out (engine clock, ISO); a run must appear before the start deadline. */
  startRequestedAt?: string;
  /** The run's target version once it is known. */
  targetVersion?: string;
  /** Why it failed, was skipped or not started (English, like the run log). */
  reason?: string;
  finishedAt?: string;
}

export interface FleetSettings {
  /** "all", or the names (or ids) of the domains to upgrade. */
  domains: "all" | string[];
  /** One version for every domain; absent: each domain's next release. */
  targetVersion?: string;
  /** VI domains upgraded at once (the management domain always alone, first). */
  concurrency: number;
  /** After a failed domain: start no other ("stop"), or go on with the rest ("continue"). */
  onFailure: "stop" | "continue";
  /** One gate rule for every run of the fleet; absent: each domain is acknowledged at its gate as usual. */
  ackPolicy?: AckPolicy;
}

/** The tag a fleet puts on the runs it starts (kept in the run), so it recognises them, also after a restart. */
export interface RunFleetTag {
  id: string;
  /** The fleet's one gate rule, applied by the acknowledgement node instead of its own. */
  ackPolicy?: AckPolicy;
}

export type FleetStatus = "running" | "finished" | "cancelled";

export interface FleetRecord {
  id: string;
  /** The node that runs the fleet (it picks it up after a restart). */
  ownerNodeId: string;
  sddcManagerUrl?: string;
  settings: FleetSettings;
  status: FleetStatus;
  /** Why new starts stopped (English): the failure policy or a cancel. */
  stopReason?: string;
  /** Set by a cancel: the fleet ends as cancelled. */
  cancelled?: boolean;
  members: FleetMember[];
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Plain-data properties of the message that started the fleet (e.g. msg.user), for each start message. */
  input?: Record<string, unknown>;
}

/** Where a fleet's records live between restarts (src/store provides it). */
export interface FleetStore {
  /** The stored fleet of the owner node, if any. */
  load(): Promise<FleetRecord | undefined>;
  /** Replaces the stored fleet; resolves once it is durable. */
  save(fleet: FleetRecord): Promise<void>;
}

export const DEFAULT_FLEET_CONCURRENCY = 2;
export const MAX_FLEET_CONCURRENCY = 100;
/** How long a start message may take to become a run before the domain counts as failed. */
export const DEFAULT_START_DEADLINE_MS = 30 * 60_000;
