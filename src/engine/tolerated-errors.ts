// Makes the errors a long wait polls through visible: without this, a rotated password or hours of 5xx
// would show nothing until the deadline.
import { engineText, englishText, type EngineText } from "./catalog";
import { EngineError, errorParam, errorText } from "./errors";
import { outageBegins, outageEnds } from "./outage-record";
import { isAuthError } from "./remote-errors";
import type { RunHandle } from "./run-handle";
import type { EngineSettings } from "./types";

/** Besides the first one, a tolerated error is logged every this many in a row... */
const LOG_EVERY_ERRORS = 10;
/** ...or when the last warning is this old. */
const LOG_EVERY_MS = 5 * 60_000;

/** One wait's tolerated errors: logged (first, then now and then), shown in the step, and bounded for auth. */
export class ToleratedErrors {
  private since: number | undefined;
  private authSince: number | undefined;
  private lastLoggedAt = 0;
  private loggedCount = 0;
  private stepBefore = "";

  /** `expectOutage`: the API is meant to vanish (SDDC Manager's own upgrade): its caller announces and bounds it. */
  constructor(
    private readonly handle: RunHandle,
    private readonly what: EngineText,
    private readonly settings: EngineSettings,
    private readonly expectOutage: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  async failed(err: unknown, consecutive: number): Promise<void> {
    const now = this.now();
    this.checkCredentials(err, now);
    if (this.since === undefined) {
      if (this.expectOutage) await outageBegins(this.handle);
      this.since = now;
      this.stepBefore = this.handle.run.step;
      await this.handle.step(`${this.stepBefore} (no answer from SDDC Manager since ${new Date(now).toISOString()})`);
    }
    const first = consecutive === 1;
    const due = consecutive - this.loggedCount >= LOG_EVERY_ERRORS || now - this.lastLoggedAt >= LOG_EVERY_MS;
    if ((first && !this.expectOutage) || (!first && due)) {
      this.lastLoggedAt = now;
      this.loggedCount = consecutive;
      const text = first
        ? `${englishText(this.what)}: SDDC Manager did not answer (${errorText(err)}); polling on until the deadline`
        : `${englishText(this.what)}: no answer from SDDC Manager since ${new Date(this.since).toISOString()} (${consecutive} failed polls; last: ${errorText(err)})`;
      await this.handle.log("warning", text);
    }
  }

  async answered(): Promise<void> {
    if (this.expectOutage) await outageEnds(this.handle);
    if (this.since === undefined) return;
    const logged = this.loggedCount > 0;
    this.since = undefined;
    this.authSince = undefined;
    this.loggedCount = 0;
    if (this.handle.run.step.startsWith(this.stepBefore)) await this.handle.step(this.stepBefore);
    if (logged) await this.handle.log("info", `${englishText(this.what)}: SDDC Manager answers again`);
  }

  /** Credentials refused for longer than the grace time (outside SDDC Manager's own upgrade) will not heal. */
  private checkCredentials(err: unknown, now: number): void {
    if (!isAuthError(err) || this.expectOutage) {
      this.authSince = undefined;
      return;
    }
    this.authSince ??= now;
    if (now - this.authSince >= this.settings.authGraceMs) {
      throw new EngineError(
        "AUTH_FAILED",
        engineText("credentialsRefused", {
          what: this.what,
          since: new Date(this.authSince).toISOString(),
          error: errorParam(err),
        }),
        { fix: engineText("credentialsRefusedFix") },
      );
    }
  }
}
