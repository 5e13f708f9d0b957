import { capText, NAME_CAP } from "./text-cap";

/**
 * The API spells one state several ways (UPGRADE-API.md §0): `IN_PROGRESS`, `In Progress`, `INPROGRESS`;
 * `SUCCESSFUL`, `Successful`, `SUCCESS`. Every status comparison goes through this one function.
 */
const ALIASES: Readonly<Record<string, string>> = {
  INPROGRESS: "IN_PROGRESS",
  SUCCESS: "SUCCESSFUL",
};

/** Upper-case, trim, turn runs of spaces into `_`, then map the known aliases. Empty input gives "". */
export function normalizeStatus(value: string | undefined | null): string {
  if (value == null) return "";
  // a status is a short word; a huge one from a broken server is cut before it is stored or shown
  const upper = capText(value.trim(), NAME_CAP).toUpperCase().replace(/\s+/g, "_");
  return ALIASES[upper] ?? upper;
}
