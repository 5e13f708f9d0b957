// Runs the readiness checks that are switched on, each on its own: one whose API call SDDC Manager refuses or fails
// becomes a warning. An absent API (SDDC Manager restarting, or upgrading itself) is no such failure: it ends the
// checks, and the phase waits for the API within the outage budget and runs them again, like every other call.
import { isAbort } from "../errors";
import { isApiAway } from "../remote-errors";
import type { Finding, ReadinessCheck } from "../types";
import { READINESS_CHECKS } from "../types";
import type { ReadinessContext } from "./checks";
import { checkBackup, checkCertificates, checkDepot, checkFailed, checkFailedTasks, checkPasswords } from "./checks";

const RULES: Readonly<Record<ReadinessCheck, (c: ReadinessContext) => Promise<Finding[]>>> = {
  backup: checkBackup,
  passwords: checkPasswords,
  certificates: checkCertificates,
  failedTasks: checkFailedTasks,
  depot: checkDepot,
};

export interface ReadinessResult {
  findings: Finding[];
  ran: ReadinessCheck[];
  off: ReadinessCheck[];
  /** Checks whose API calls failed (each also a warning finding). */
  failed: ReadinessCheck[];
}

/** Reads only; a plan may call it as well as the prechecks phase. */
export async function runReadinessChecks(c: ReadinessContext): Promise<ReadinessResult> {
  const off = READINESS_CHECKS.filter((check) => c.settings.readinessChecksOff.includes(check));
  const ran = READINESS_CHECKS.filter((check) => !off.includes(check));
  const findings: Finding[] = [];
  const failed: ReadinessCheck[] = [];
  for (const check of ran) {
    try {
      findings.push(...(await RULES[check](c)));
    } catch (err) {
      if (isAbort(err, c.signal) || isApiAway(err)) throw err;
      failed.push(check);
      findings.push(checkFailed(check, err));
    }
  }
  return { findings, ran, off, failed };
}
