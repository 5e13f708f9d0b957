// Reading domains and their available updates (no runs involved).
import type { VcfClient } from "../vcf/client";
import { normalizeStatus } from "../vcf/status";
import { capText, LINE_CAP, NAME_CAP, TEXT_CAP } from "../vcf/text-cap";
import type { Domain } from "../vcf/types";
import { engineText } from "./catalog";
import { EngineError, asEngineError, isAbort } from "./errors";
import { chooseRelease } from "./releases";
import { sharedRead } from "./shared-reads";
import type { DomainUpdateInfo, UpgradeStatus } from "./types";
import { withVersions } from "./versions";

/**
 * The domain `ref` (id or name) names, and every domain SDDC Manager lists; a list another lookup read at most
 * `shareMs` ago serves (the starts of a fleet come one after the other).
 */
export async function lookupDomain(
  client: VcfClient,
  ref: string,
  signal?: AbortSignal,
  shareMs = 0,
): Promise<{ domain: Domain; domains: Domain[] }> {
  if (typeof ref !== "string" || ref.trim() === "") {
    throw new EngineError("BAD_INPUT", engineText("domainEmpty"), {
      field: "domain",
      fix: engineText("domainEmptyFix"),
    });
  }
  const wanted = ref.trim();
  const domains = await sharedRead(client, "domains", () => client.getDomains(), { maxAgeMs: shareMs, signal });
  const found =
    domains.find((d) => d.id === wanted) ??
    domains.find((d) => d.name === wanted) ??
    domains.find((d) => d.name.toLowerCase() === wanted.toLowerCase());
  if (!found) {
    throw new EngineError("DOMAIN_NOT_FOUND", engineText("domainNotFound", { domain: capText(wanted, NAME_CAP) }), {
      field: "domain",
      fix: engineText("useOneOf", {
        choices: domains.map((d) => capText(d.name, NAME_CAP)).join(", ") || engineText("noDomains"),
      }),
    });
  }
  return { domain: withShortName(found), domains };
}

/** The domain with its name capped: the name goes into the run, its texts and messages (matching used the whole name). */
function withShortName(domain: Domain): Domain {
  return domain.name.length <= NAME_CAP ? domain : { ...domain, name: capText(domain.name, NAME_CAP) };
}

/** One domain's discovery: what was read, and the error when its releases could not be read (`info.problem` says so too). */
export interface DomainDiscovery {
  info: DomainUpdateInfo;
  error?: EngineError;
}

/**
 * The domain's current version, next release and the components it would update; `problem` when it cannot be
 * upgraded now, and `error` too when that is because reading failed (after the client's retries).
 */
export async function discoverDomain(
  client: VcfClient,
  domain: Domain,
  upgradeStatus: UpgradeStatus,
  signal?: AbortSignal,
): Promise<DomainDiscovery> {
  const info: DomainUpdateInfo = {
    domainId: domain.id,
    domainName: capText(domain.name, NAME_CAP),
    currentVersion: "",
    updateAvailable: false,
    components: [],
    upgradeStatus,
  };
  if (domain.type) info.domainType = domain.type;
  if (domain.status) info.domainStatus = domain.status;
  try {
    const current = await client.getCurrentRelease(domain.id, { signal });
    info.currentVersion = current?.version ?? "";
    if (normalizeStatus(domain.status) !== "ACTIVE") {
      info.problem = `Domain is ${capText(domain.status ?? "in an unknown state", NAME_CAP)}, not ACTIVE`;
      return { info };
    }
    const next = chooseRelease(info.currentVersion, await client.getFutureReleases(domain.id, { signal }));
    if (!next) return { info };
    info.updateAvailable = true;
    info.nextRelease = { version: next.version };
    if (next.releaseDate) info.nextRelease.releaseDate = next.releaseDate;
    if (next.description) info.nextRelease.description = capText(next.description, TEXT_CAP);
    for (const entry of withVersions(next.bom ?? [])) {
      const now = current?.bom?.find((e) => e.name === entry.name)?.version;
      if (now !== undefined && now === entry.version) continue;
      info.components.push({
        name: entry.name,
        targetVersion: entry.version,
        ...(entry.publicName ? { publicName: entry.publicName } : {}),
        ...(now ? { currentVersion: now } : {}),
      });
    }
  } catch (err) {
    if (isAbort(err, signal)) throw err;
    const cause = asEngineError(err);
    info.problem = capText(`Could not read the releases: ${cause.message}`, LINE_CAP);
    const error = new EngineError(
      "REMOTE_FAILURE",
      engineText("releasesUnreadable", { domain: info.domainName, error: cause.text }),
      cause.fixText ? { fix: cause.fixText } : {},
    );
    error.cause = err;
    return { info, error };
  }
  return { info };
}
