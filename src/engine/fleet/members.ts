// The fleet's domains, from what SDDC Manager lists (engine.discoverUpdates): the management domain first, then the
// VI domains in SDDC Manager's order (or the order of the chosen list); what has nothing to do is marked at once.
import { capText, LINE_CAP, NAME_CAP } from "../../vcf/text-cap";
import { engineText, englishText } from "../catalog";
import { EngineError } from "../errors";
import { isManagementDomain } from "../management-first";
import type { DomainUpdateInfo } from "../types";
import { compareVersions } from "../versions";
import type { FleetMember, FleetSettings } from "./types";

function matches(info: DomainUpdateInfo, ref: string): boolean {
  return info.domainId === ref || info.domainName.toLowerCase() === ref.toLowerCase();
}

/** The chosen domains, in the list's order; a name SDDC Manager does not list is refused, naming the ones it does. */
function chosen(all: readonly DomainUpdateInfo[], settings: FleetSettings): DomainUpdateInfo[] {
  if (settings.domains === "all") return [...all];
  const unknown = settings.domains.filter((ref) => !all.some((info) => matches(info, ref)));
  if (unknown.length > 0) {
    throw new EngineError(
      "DOMAIN_NOT_FOUND",
      engineText("fleetUnknownDomains", { names: unknown.map((n) => capText(n, NAME_CAP)).join(", ") }),
      {
        field: "domains",
        fix: engineText("useOneOf", {
          choices: all.map((d) => d.domainName).join(", ") || engineText("noDomains"),
        }),
      },
    );
  }
  const picked = settings.domains.map((ref) => all.find((info) => matches(info, ref)) as DomainUpdateInfo);
  return [...new Set(picked)];
}

function member(info: DomainUpdateInfo, targetVersion: string | undefined): FleetMember {
  const m: FleetMember = {
    domainId: info.domainId,
    domainName: info.domainName,
    management: isManagementDomain({ type: info.domainType }),
    state: "pending",
  };
  if (info.currentVersion) m.sourceVersion = info.currentVersion;
  if (info.problem && !info.updateAvailable) {
    m.state = "not_started";
    m.reason = englishText(engineText("fleetNotUpgradable", { problem: capText(info.problem, LINE_CAP) }));
  } else if (targetVersion && info.currentVersion && compareVersions(info.currentVersion, targetVersion) >= 0) {
    m.state = "skipped";
    m.reason = englishText(engineText("fleetAtTarget", { version: info.currentVersion, target: targetVersion }));
  } else if (!targetVersion && !info.updateAvailable) {
    m.state = "skipped";
    m.reason = englishText(engineText("fleetUpToDate", { version: info.currentVersion || "?" }));
  }
  return m;
}

/** The members of a new fleet: the management domain first, then the others in order. */
export function fleetMembers(all: readonly DomainUpdateInfo[], settings: FleetSettings): FleetMember[] {
  const members = chosen(all, settings).map((info) => member(info, settings.targetVersion));
  return [...members.filter((m) => m.management), ...members.filter((m) => !m.management)];
}
