// The fleet's order, as pure rules over its record: the management domain first and alone (VCF upgrades SDDC Manager
// with it, and a VI domain's components wait for it), then the VI domains in their order, `concurrency` at a time.
// A failed management domain stops every new start; another failure does when the policy says "stop".
import { engineText, englishText } from "../catalog";
import { ACTIVE_MEMBER_STATES, type FleetMember, type FleetRecord } from "./types";

export function isActiveMember(m: FleetMember): boolean {
  return ACTIVE_MEMBER_STATES.includes(m.state);
}

/** Why no member may start any more (English), or undefined while starts go on. */
export function stopReason(fleet: FleetRecord): string | undefined {
  if (fleet.stopReason) return fleet.stopReason;
  const management = fleet.members.find((m) => m.management && m.state === "failed");
  if (management) return englishText(engineText("fleetManagementFailed", { domain: management.domainName }));
  const failed = fleet.members.find((m) => m.state === "failed");
  if (failed && fleet.settings.onFailure === "stop")
    return englishText(engineText("fleetStoppedAfterFailure", { domain: failed.domainName }));
  return undefined;
}

/**
 * Applies the order and the failure policy to `fleet` (changing it): members that can no longer start are marked
 * not started, with the reason; returns the members to start now (still pending: the caller marks them starting).
 */
export function nextStarts(fleet: FleetRecord): FleetMember[] {
  if (fleet.status !== "running") return [];
  const reason = stopReason(fleet);
  const pending = fleet.members.filter((m) => m.state === "pending");
  if (reason) {
    fleet.stopReason = reason;
    for (const m of pending) Object.assign(m, { state: "not_started", reason });
    return [];
  }
  const active = fleet.members.filter(isActiveMember);
  const management = fleet.members.find((m) => m.management);
  if (management && (management.state === "pending" || isActiveMember(management)))
    return management.state === "pending" && active.length === 0 ? [management] : [];
  const slots = Math.max(0, fleet.settings.concurrency - active.length);
  return pending.slice(0, slots);
}

/** True once no member is pending or active. */
export function fleetDone(fleet: FleetRecord): boolean {
  return fleet.members.every((m) => m.state !== "pending" && !isActiveMember(m));
}
