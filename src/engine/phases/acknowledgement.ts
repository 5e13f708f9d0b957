import { plural } from "../utf8-bytes";
import type { AckPolicy, Finding } from "../types";

export type GateDecision =
  { action: "continue"; rule: string } | { action: "wait"; reason: string } | { action: "fail"; reason: string };

/**
 * The acknowledgement rules: no findings pass; errors fail when the node says so; an acknowledgement passes
 * everything else; "ignore alerts" passes warnings, and errors only together with "also ignore errors".
 */
export function decideGate(findings: Finding[], policy: AckPolicy, acknowledged: boolean): GateDecision {
  const errors = findings.filter((f) => f.severity === "ERROR").length;
  const warnings = findings.length - errors;
  const what = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""]
    .filter(Boolean)
    .join(" and ");
  if (findings.length === 0) return { action: "continue", rule: "No precheck findings: nothing to acknowledge" };
  if (errors > 0 && policy.failOnErrors) {
    return { action: "fail", reason: `Prechecks found ${what} and the node is set to fail on errors` };
  }
  if (acknowledged) return { action: "continue", rule: `The user acknowledged ${what}` };
  if (errors === 0 && policy.ignoreAlerts)
    return { action: "continue", rule: `"Ignore alerts" is on: continuing past ${what}` };
  if (errors > 0 && policy.ignoreAlerts && policy.alsoIgnoreErrors) {
    return { action: "continue", rule: `"Ignore alerts" and "also ignore errors" are on: continuing past ${what}` };
  }
  const why = errors > 0 && policy.ignoreAlerts ? ` ("ignore alerts" skips warnings only)` : "";
  return { action: "wait", reason: `Prechecks found ${what}: waiting for acknowledgement${why}` };
}
