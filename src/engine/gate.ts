import { engineText } from "./catalog";
import { EngineError, abortError } from "./errors";
import type { AckPolicy } from "./types";

/** A waiting acknowledgement gate: poked by acknowledge() or by a new policy; a poke is never lost. */
export class Gate {
  private wake: (() => void) | undefined;
  private poked = false;

  constructor(public policy: AckPolicy) {}

  poke(): void {
    this.poked = true;
    this.wake?.();
  }

  /** Resolves at the next poke (at once if one came since the last wait), rejects on abort. */
  wait(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        signal.removeEventListener("abort", onAbort);
        this.wake = undefined;
        this.poked = false;
        resolve();
      };
      const onAbort = () => {
        this.wake = undefined;
        reject(abortError(engineText("waitingForAcknowledgement")));
      };
      if (signal.aborted) return onAbort();
      if (this.poked) return done();
      this.wake = done;
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }
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
