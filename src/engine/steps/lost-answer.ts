// A POST whose answer never arrived (timeout, dropped connection, 5xx, an unreadable 202) may still have started
// its work in SDDC Manager. It is never sent again: the work is looked for, and attached to when found.
import { engineText, type EngineText } from "../catalog";
import { EngineError, errorParam } from "../errors";
import { isApiAway } from "../remote-errors";
import type { PhaseContext } from "../run-handle";

/** How long to look for the work: three of the longest poll intervals (3 min by default). */
function lookupWindowMs(ctx: PhaseContext): number {
  return 3 * ctx.settings.maxPollIntervalMs;
}

/**
 * Polls `find` for the lookup window; undefined when SDDC Manager answered that nothing turned up. `key` names the
 * request (unique per POST). When the window ends with SDDC Manager's API away, nothing is known: the last error is
 * thrown, so the phase waits for the API and looks again (see api-away.ts).
 */
export async function findLostWork<T>(
  ctx: PhaseContext,
  what: EngineText,
  key: string,
  find: (signal: AbortSignal | undefined) => Promise<T | undefined>,
): Promise<T | undefined> {
  let away: unknown;
  try {
    return await ctx.wait({
      what: engineText("waitLookingFor", { what }),
      deadlineKey: `lookup:${key}`,
      deadlineMs: lookupWindowMs(ctx),
      poll: async (signal) => {
        try {
          const found = await find(signal);
          away = undefined;
          return found;
        } catch (err) {
          away = isApiAway(err) ? err : undefined;
          throw err;
        }
      },
      until: (found) => found !== undefined,
      completeFirstPoll: true,
    });
  } catch (err) {
    if (!(err instanceof EngineError) || err.code !== "DEADLINE") throw err;
    if (away !== undefined) {
      await ctx.handle.update((r) => {
        delete r.deadlines[`lookup:${key}`];
      });
      throw away;
    }
    return undefined;
  }
}

/** The failure when the work was not found: say that the outcome is unknown and what to look at. */
export function outcomeUnknown(
  request: EngineText,
  requestedAt: string,
  cause: unknown,
  check: EngineText,
): EngineError {
  const why = cause === undefined ? engineText("stoppedBeforeAnswer") : errorParam(cause);
  return new EngineError("OUTCOME_UNKNOWN", engineText("outcomeUnknown", { request, requestedAt, why }), {
    fix: engineText("outcomeUnknownFix", { check }),
  });
}
