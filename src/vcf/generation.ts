// SDDC Manager answers with the API of its own release line: 5.2.x or 9.0.x (UPGRADE-API.md §15). Which one a
// server speaks is read from its version (GET /v1/sddc-managers), never guessed from an error text.
import { capText, NAME_CAP } from "./text-cap";
import type { SddcManager } from "./types";

/** The API generations this package speaks: "5.2" for SDDC Manager 5.x, "9.0" for 9.x. */
export type ApiGeneration = "5.2" | "9.0";

/** What a server speaks, and the SDDC Manager version it was read from. */
export interface ApiIdentity {
  generation: ApiGeneration;
  /** e.g. "9.0.0.0-24703748"; absent when SDDC Manager did not tell its version. */
  sddcManagerVersion?: string;
}

/** The generation of an SDDC Manager version ("9.0.1.0-24962180" -> "9.0"); undefined for no readable version. */
export function generationOfVersion(version: string | undefined): ApiGeneration | undefined {
  const major = Number((version ?? "").trim().split(".")[0]);
  if (!Number.isInteger(major) || major <= 0) return undefined;
  return major >= 9 ? "9.0" : "5.2";
}

/**
 * The identity from GET /v1/sddc-managers' elements. Without a readable version the server is taken as 5.2: the
 * client then only makes calls both generations have.
 */
export function identityOf(managers: readonly SddcManager[]): ApiIdentity {
  const version = managers.find((m) => generationOfVersion(m.version) !== undefined)?.version;
  if (!version) return { generation: "5.2" };
  return { generation: generationOfVersion(version) ?? "5.2", sddcManagerVersion: capText(version, NAME_CAP) };
}

/** True when the server speaks 9.0 or later (the 9.0-only calls exist). */
export function speaks90(identity: ApiIdentity | undefined): boolean {
  return identity?.generation === "9.0";
}
