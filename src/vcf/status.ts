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
  const upper = value.trim().toUpperCase().replace(/\s+/g, "_");
  return ALIASES[upper] ?? upper;
}
