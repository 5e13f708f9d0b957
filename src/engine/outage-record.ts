// The times SDDC Manager's API is away while SDDC Manager upgrades itself, recorded in the run for its report: a
// period opens at the first unanswered call and closes at the first answer (a restart inside it keeps it open).
import type { RunHandle } from "./run-handle";

function openPeriod(handle: RunHandle): boolean {
  const last = handle.run.sddcOutages?.at(-1);
  return last !== undefined && last.to === undefined;
}

/** SDDC Manager did not answer during its own upgrade: a period begins, unless one is open. */
export async function outageBegins(handle: RunHandle): Promise<void> {
  if (openPeriod(handle)) return;
  await handle.update((r) => {
    r.sddcOutages = [...(r.sddcOutages ?? []), { from: new Date().toISOString() }];
  });
}

/** SDDC Manager answers: the open period, if any, ends. */
export async function outageEnds(handle: RunHandle): Promise<void> {
  if (!openPeriod(handle)) return;
  await handle.update((r) => {
    const last = r.sddcOutages?.at(-1);
    if (last) last.to = new Date().toISOString();
  });
}
