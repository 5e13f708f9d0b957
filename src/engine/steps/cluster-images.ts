// Which vLCM image (personality) each image-based cluster is remediated with. A cluster keeps its vendor add-on
// and hardware support packages, so the image must match those as well as the target ESXi version.
import type { Personality, SoftwareInfo, UpgradablesClusterResource } from "../../vcf/types";
import { engineText } from "../catalog";
import { EngineError } from "../errors";
import { sameVersion } from "../versions";

interface AddOnId {
  name: string;
  vendor: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function addOnOf(info: SoftwareInfo | undefined): AddOnId | undefined {
  const addOn = info?.addOn;
  if (!isRecord(addOn) || typeof addOn.name !== "string" || addOn.name === "") return undefined;
  return { name: addOn.name, vendor: typeof addOn.vendor === "string" ? addOn.vendor : "" };
}

/** The hardware support manager packages an image or cluster carries, sorted ("pkg" names, else the keys). */
function hardwareSupportOf(info: SoftwareInfo | undefined): string[] {
  const packages = isRecord(info?.hardwareSupport) ? info.hardwareSupport.packages : undefined;
  if (!isRecord(packages)) return [];
  return Object.entries(packages)
    .map(([key, p]) => (isRecord(p) && typeof p.pkg === "string" ? p.pkg : key))
    .sort();
}

function describeSoftware(info: SoftwareInfo | undefined): string {
  const addOn = addOnOf(info);
  const hsm = hardwareSupportOf(info);
  return `add-on ${addOn ? `${addOn.vendor} ${addOn.name}`.trim() : "none"}, hardware support ${hsm.length > 0 ? hsm.join(", ") : "none"}`;
}

function baseImageOf(p: Personality): string | undefined {
  return p.softwareInfo?.baseImage?.version;
}

/**
 * The images fit for `cluster`: base image = the target ESXi version, and, where SDDC Manager reports the
 * cluster's software, the same add-on (name and vendor) and the same hardware support packages.
 */
function matchingImages(
  cluster: UpgradablesClusterResource,
  personalities: readonly Personality[],
  esxVersion: string,
): Personality[] {
  const info = cluster.softwareInfo;
  return personalities.filter((p) => {
    if (!sameVersion(baseImageOf(p), esxVersion)) return false;
    if (!info) return true;
    const want = addOnOf(info);
    const has = addOnOf(p.softwareInfo);
    if (want?.name !== has?.name || want?.vendor !== has?.vendor) return false;
    return hardwareSupportOf(info).join("\n") === hardwareSupportOf(p.softwareInfo).join("\n");
  });
}

export interface ClusterImageChoice {
  personality: Personality;
  /** Set when the user's explicit choice does not look like the target (logged as a warning). */
  warning?: string;
}

/** The image for one cluster: the user's explicit choice (`clusterImages`, by id or name) wins; else the one match. */
export function chooseClusterImage(
  cluster: UpgradablesClusterResource,
  clusterName: string | undefined,
  personalities: readonly Personality[],
  esxVersion: string | undefined,
  explicit: Readonly<Record<string, string>> | undefined,
): ClusterImageChoice {
  const label = clusterName ? `${clusterName} (${cluster.resourceId})` : cluster.resourceId;
  const key = clusterName ?? cluster.resourceId;
  const chosenId =
    ownValue(explicit, cluster.resourceId) ?? (clusterName !== undefined ? ownValue(explicit, clusterName) : undefined);
  if (chosenId !== undefined) {
    const personality = personalities.find((p) => p.personalityId === chosenId);
    if (!personality) {
      throw new EngineError("BAD_INPUT", engineText("clusterImageUnknown", { image: chosenId, cluster: label }), {
        field: "clusterImages",
        fix: engineText("clusterImageUnknownFix", {
          images:
            personalities.map((p) => `${p.personalityName} = ${p.personalityId}`).join(", ") || engineText("none"),
        }),
      });
    }
    const choice: ClusterImageChoice = { personality };
    if (esxVersion && !sameVersion(baseImageOf(personality), esxVersion)) {
      choice.warning = `Cluster ${label} gets image ${personality.personalityName} (base ${baseImageOf(personality) ?? "unknown"}) as set in clusterImages, although the target ESXi is ${esxVersion}`;
    }
    return choice;
  }
  const fixByMap = engineText("clusterImageByMap", { cluster: key });
  if (!esxVersion) {
    throw new EngineError("REMOTE_FAILURE", engineText("noEsxVersion", { cluster: label }), {
      fix: engineText("noEsxVersionFix", { byMap: fixByMap }),
    });
  }
  const matches = matchingImages(cluster, personalities, esxVersion);
  const [only] = matches;
  if (only && matches.length === 1) return { personality: only };
  const needs = `ESXi ${esxVersion} with ${describeSoftware(cluster.softwareInfo)}`;
  if (matches.length === 0) {
    const sameBase = personalities.filter((p) => sameVersion(baseImageOf(p), esxVersion));
    const near =
      sameBase.length > 0
        ? engineText("imagesForEsx", {
            esxVersion,
            images: sameBase.map((p) => `${p.personalityName} (${describeSoftware(p.softwareInfo)})`).join("; "),
          })
        : "";
    throw new EngineError("REMOTE_FAILURE", engineText("noClusterImage", { cluster: label, needs, near }), {
      fix: engineText("noClusterImageFix", { byMap: fixByMap }),
    });
  }
  throw new EngineError(
    "REMOTE_FAILURE",
    engineText("severalClusterImages", {
      cluster: label,
      needs,
      images: matches.map((p) => `${p.personalityName} = ${p.personalityId}`).join(", "),
    }),
    { fix: engineText("severalClusterImagesFix", { byMap: fixByMap }) },
  );
}

/** Checks a clusterImages input: an object of non-empty strings whose keys name clusters of the domain. */
export function checkClusterImages(
  value: unknown,
  clusters: readonly { id: string; name?: string }[],
  domainName: string,
): Record<string, string> | undefined {
  if (value === undefined) return undefined;
  const known = clusters.map((c) => c.name ?? c.id).join(", ") || engineText("none");
  if (!isRecord(value)) {
    throw new EngineError("BAD_INPUT", engineText("clusterImagesNotObject"), {
      field: "clusterImages",
      fix: engineText("clusterImagesNotObjectFix", { domain: domainName, clusters: known }),
    });
  }
  const out: [string, string][] = [];
  for (const [cluster, image] of Object.entries(value)) {
    if (!clusters.some((c) => c.id === cluster || c.name === cluster)) {
      throw new EngineError("BAD_INPUT", engineText("clusterImagesUnknownCluster", { cluster, domain: domainName }), {
        field: "clusterImages",
        fix: engineText("useOneOf", { choices: known }),
      });
    }
    if (typeof image !== "string" || image.trim() === "") {
      throw new EngineError("BAD_INPUT", engineText("clusterImageNotText", { cluster }), {
        field: "clusterImages",
        fix: engineText("clusterImageNotTextFix"),
      });
    }
    out.push([cluster, image.trim()]);
  }
  // Entries, not assignments: "__proto__" stays an own key, so it is refused above like "constructor", never dropped.
  return Object.fromEntries(out);
}

/** An own entry only: a cluster named e.g. "constructor" must not find Object.prototype's. */
function ownValue(map: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return map && Object.hasOwn(map, key) ? map[key] : undefined;
}
