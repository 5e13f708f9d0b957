/** An ISO 8601 date-time with a time zone (Z or an offset): a bare local time would depend on the server's zone. */
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

/** The instant (epoch ms) of such a date-time; undefined for anything else. */
export function isoInstant(value: unknown): number | undefined {
  if (typeof value !== "string" || !ISO_DATE_TIME.test(value.trim())) return undefined;
  const ms = Date.parse(value.trim());
  return Number.isNaN(ms) ? undefined : ms;
}
