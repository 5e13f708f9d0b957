// The acknowledgement phase: the gate between the prechecks and the component upgrades. Its rules (decideGate), the
// policy check, and the wait for an acknowledgement or a new policy, which the engine pokes (see UpgradeEngine).
import { engineText, type EngineText } from "../catalog";
import { EngineError, abortError } from "../errors";
import { plural } from "../plural";
import { outsideWorkReason } from "../outside-work";
import { appendLog } from "../transitions";
import type { PhaseContext } from "../run-handle";
import type { AckPolicy, Finding } from "../types";

export type GateDecision =
  { action: "continue"; rule: string } | { action: "wait"; reason: string } | { action: "fail"; reason: EngineText };

/**
 * The acknowledgement rules: errors fail when the node says so; work outside this API (`outsideWork`, e.g. VCF
 * Operations first) waits for an acknowledgement whatever the policy; no findings pass; an acknowledgement passes
 * everything else; "ignore alerts" passes warnings, and errors only together with "also ignore errors".
 */
export function decideGate(
  findings: Finding[],
  policy: AckPolicy,
  acknowledged: boolean,
  outsideWork: readonly string[] = [],
): GateDecision {
  const errors = findings.filter((f) => f.severity === "ERROR").length;
  const warnings = findings.length - errors;
  const what = [errors > 0 ? plural(errors, "error") : "", warnings > 0 ? plural(warnings, "warning") : ""]
    .filter(Boolean)
    .join(" and ");
  if (!(errors > 0 && policy.failOnErrors) && outsideWork.length > 0) {
    if (!acknowledged) return { action: "wait", reason: outsideWorkReason(outsideWork) };
    if (findings.length === 0)
      return { action: "continue", rule: "The user acknowledged that the work outside this package is done" };
  }
  if (findings.length === 0) return { action: "continue", rule: "No precheck findings: nothing to acknowledge" };
  if (errors > 0 && policy.failOnErrors) {
    const errorCount = engineText("errorCount", { count: errors });
    const found =
      warnings > 0
        ? engineText("errorsAndWarnings", {
            errors: errorCount,
            warnings: engineText("warningCount", { count: warnings }),
          })
        : errorCount;
    return { action: "fail", reason: engineText("failOnErrors", { found }) };
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

export function checkPolicy(policy: AckPolicy): void {
  for (const key of ["ignoreAlerts", "alsoIgnoreErrors", "failOnErrors"] as const) {
    if (typeof policy?.[key] !== "boolean") {
      throw new EngineError("BAD_INPUT", engineText("policyNotBoolean", { key }), {
        field: key,
        fix: engineText("policyNotBooleanFix", { key }),
      });
    }
  }
}

/** One waiting run's gate: poked by an acknowledgement or by a new policy; a poke is never lost. */
class Gate {
  private wake: (() => void) | undefined;
  private poked = false;

  constructor(public policy: AckPolicy) {}

  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /**
   * Resolves "poked" at the next poke (at once if one came since the last wait), or "reminder" once `remindAfterMs`
   * passed without one (0: never); rejects on abort.
   */
  wait(signal: AbortSignal, remindAfterMs: number): Promise<"poked" | "reminder"> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const settle = (): void => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        this.wake = undefined;
      };
      const done = (): void => {
        settle();
        this.poked = false;
        resolve("poked");
      };
      const onAbort = (): void => {
        settle();
        reject(abortError(engineText("waitingForAcknowledgement")));
      };
      if (signal.aborted) return onAbort();
      if (this.poked) return done();
      this.wake = done;
      signal.addEventListener("abort", onAbort, { once: true });
      if (remindAfterMs > 0)
        timer = setTimeout(() => {
          settle();
          resolve("reminder");
        }, remindAfterMs);
    });
  }
}

/** Announces the waiting run again (a change with a log entry), so a notification flow can send a reminder. */
async function remind(ctx: PhaseContext): Promise<void> {
  const reminders = (ctx.run.ackReminders ?? 0) + 1;
  const since = ctx.run.waitingSince ?? "the prechecks";
  await ctx.handle.update((r) => {
    r.ackReminders = reminders;
    appendLog(
      r,
      "warning",
      "acknowledgement",
      `Still waiting for acknowledgement since ${since} (reminder ${reminders}): ${r.step}`,
    );
  });
}

/** The gates of the runs in their acknowledgement phase, by run id. */
export class AcknowledgementGates {
  private readonly gates = new Map<string, Gate>();

  /** Gives the run's waiting gate a new policy and lets it decide again; false when the run has no gate. */
  applyPolicy(runId: string, policy: AckPolicy): boolean {
    const gate = this.gates.get(runId);
    if (!gate) return false;
    gate.policy = { ...policy };
    gate.poke();
    return true;
  }

  /** Lets the run's gate decide again (e.g. the run was acknowledged). */
  poke(runId: string): void {
    this.gates.get(runId)?.poke();
  }

  /** The phase: decides, and while the decision is "wait", waits for a poke and decides again. */
  async pass(ctx: PhaseContext, initial: AckPolicy): Promise<void> {
    const run = ctx.run;
    const gate = new Gate({ ...initial });
    this.gates.set(run.id, gate);
    try {
      for (;;) {
        const decision = decideGate(run.findings, gate.policy, run.acknowledged, run.outsideWork);
        if (decision.action === "fail")
          throw new EngineError("REMOTE_FAILURE", decision.reason, {
            fix: engineText("failOnErrorsFix"),
          });
        if (decision.action === "continue") {
          run.acknowledgementRule = decision.rule;
          await ctx.handle.to("alerts_were_acknowledged", decision.rule, "success");
          return;
        }
        if (run.status !== "waiting_for_alert_acknowledgement") {
          await ctx.handle.to("waiting_for_alert_acknowledgement", decision.reason, "warning");
        }
        if ((await gate.wait(ctx.signal, ctx.settings.ackReminderMs)) === "reminder") await remind(ctx);
      }
    } finally {
      this.gates.delete(run.id);
    }
  }
}
