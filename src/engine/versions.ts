// Version strings of VCF and its components, and the one set of rules to compare them.
//
// A version is a dotted base plus an optional build after the first "-":
//   VCF "5.2.1.0", SDDC Manager "5.2.1.0-24307856", vCenter "8.0.3.00300-24305161",
//   ESXi "8.0.3-24280767", which vLCM spells as base image "8.0.3-0.0.24280767".
// Rules:
//   - the base compares numerically part by part ("8.0.3.00300" = "8.0.3.300"; missing parts count as 0);
//   - the build is the trailing number of the suffix ("0.0.24280767" -> 24280767);
//   - two versions are the same when their bases are equal and, if BOTH carry a build, the builds are equal
//     (one side without a build, e.g. a VCF release version, matches any build).

const VERSION_PATTERN = /^\d+(\.\d+){0,3}$/;

/** "5.2.1.0-24307856" -> [5, 2, 1, 0]; the build suffix is ignored, missing parts count as 0. */
export function versionParts(version: string): number[] {
  const base = version.trim().split("-")[0] ?? "";
  const parts = base.split(".").map((p) => Number.parseInt(p, 10));
  while (parts.length < 4) parts.push(0);
  return parts.map((n) => (Number.isFinite(n) ? n : 0));
}

/** Numeric, part-by-part comparison of the bases (never as strings): negative when a < b. */
export function compareVersions(a: string, b: string): number {
  const pa = versionParts(a);
  const pb = versionParts(b);
  const length = Math.max(pa.length, pb.length);
  for (let i = 0; i < length; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** The build number of a version: the trailing digits after the first "-", undefined when there is none. */
export function buildNumber(version: string): string | undefined {
  const dash = version.indexOf("-");
  if (dash < 0) return undefined;
  return /(\d+)\s*$/.exec(version.slice(dash + 1))?.[1];
}

/** The same version by the rules above; an undefined or empty side is never the same. */
export function sameVersion(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  if (compareVersions(a, b) !== 0) return false;
  const ba = buildNumber(a);
  const bb = buildNumber(b);
  return ba === undefined || bb === undefined || ba === bb;
}

/** A plain VCF version such as 5.2.1.0 (no build). */
export function isVersionString(value: string): boolean {
  return VERSION_PATTERN.test(value.trim());
}

/** BOM entries that name a version (9.0 may leave `version` out: such an entry says nothing to upgrade). */
export function withVersions<T extends { version?: string }>(bom: readonly T[]): Array<T & { version: string }> {
  return bom.filter((e): e is T & { version: string } => typeof e.version === "string" && e.version !== "");
}
