// One bound for every text that comes from SDDC Manager or from input before it reaches a log entry, an error,
// a status or a message: a hostile or broken server must not be able to grow runs, files and messages at will.

/** Names and codes: domain, cluster, sub-task, check and resource names, API error codes, echoed input values. */
export const NAME_CAP = 200;
/** One line shown as a state: a run's step and failure reason. */
export const LINE_CAP = 500;
/** One text of SDDC Manager's: an API error message, a remediation, a finding's description. */
export const TEXT_CAP = 1000;
/** A whole sentence built from the above: a log entry, an error message, a log entry's details as JSON. */
export const ENTRY_CAP = 2000;

/** `text` cut to `max` characters, saying how much was left out: "abc… (1234 more characters)". */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  // never split a surrogate pair
  const last = text.charCodeAt(end - 1);
  if (end > 0 && last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… (${text.length - end} more characters)`;
}

/** capText for a value that may be absent. */
export function capOptional(text: string | undefined, max: number): string | undefined {
  return text === undefined ? undefined : capText(text, max);
}
