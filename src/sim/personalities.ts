import { stableUuid } from "./ids";
import { RELEASES, START_VERSION } from "./inventory";
import { compareVersions } from "./versions";

/** vLCM cluster images (GET /v1/personalities), one per ESXi version of the releases after the start release. */

export interface PersonalityDef {
  personalityId: string;
  personalityName: string;
  esxVersion: string;
  baseImageVersion: string;
}

export const PERSONALITIES: readonly PersonalityDef[] = [
  ...new Set(RELEASES.filter((r) => compareVersions(r.version, START_VERSION) > 0).map((r) => r.bom.ESX_HOST)),
].map((esx) => ({
  personalityId: stableUuid(`personality:${esx}`),
  personalityName: personalityName(esx),
  esxVersion: esx,
  baseImageVersion: baseImageVersion(esx),
}));

/** The spec limits names to 3-20 letters, digits and dashes: "esx-803-24280767". */
function personalityName(esxVersion: string): string {
  const [main = "", build = ""] = esxVersion.split("-");
  return `esx-${main.replace(/\./g, "")}-${build}`.slice(0, 20);
}

/** vLCM spells ESXi 8.0.3-24280767 as base image 8.0.3-0.0.24280767. */
export function baseImageVersion(esxVersion: string): string {
  const [main, build] = esxVersion.split("-");
  return `${main}-0.0.${build}`;
}

export function baseImage(esxVersion: string): {
  version: string;
  details: { displayName: string; displayVersion: string; releaseDate: string };
} {
  const build = esxVersion.split("-")[1] ?? "";
  const main = esxVersion.split("-")[0] ?? "";
  return {
    version: baseImageVersion(esxVersion),
    details: { displayName: `ESXi ${main}`, displayVersion: `${main} - ${build}`, releaseDate: "2024-06-25T00:00:00Z" },
  };
}

export function listPersonalities(filter: { baseOSVersion?: string; personalityName?: string }): unknown[] {
  return PERSONALITIES.filter(
    (p) =>
      !filter.baseOSVersion || filter.baseOSVersion === p.baseImageVersion || filter.baseOSVersion === p.esxVersion,
  )
    .filter((p) => !filter.personalityName || p.personalityName === filter.personalityName)
    .map((p) => ({
      version: "1",
      personalityId: p.personalityId,
      personalityName: p.personalityName,
      description: `Cluster image for ESXi ${p.esxVersion}`,
      createdBy: "administrator@vsphere.local",
      imageSize: "412 MB",
      imageChecksum: stableUuid(`checksum:${p.esxVersion}`).replace(/-/g, ""),
      vsphereExportedZipPath: `/nfs/vmware/vcf/nfs-mount/personality/${p.personalityId}/image.zip`,
      vsphereExportedIsoPath: `/nfs/vmware/vcf/nfs-mount/personality/${p.personalityId}/image.iso`,
      vsphereExportedJsonPath: `/nfs/vmware/vcf/nfs-mount/personality/${p.personalityId}/image.json`,
      displayName: p.personalityName,
      softwareInfo: { baseImage: baseImage(p.esxVersion), components: {}, hardwareSupport: { packages: {} } },
    }));
}

export function findPersonality(id: string): PersonalityDef | undefined {
  return PERSONALITIES.find((p) => p.personalityId === id);
}
