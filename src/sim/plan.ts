/** A sequence of timed steps (subtasks) evaluated lazily against the simulated clock. */

export interface PlanStep {
  name: string;
  type: string;
  description: string;
  seconds: number;
  /** The step fails at 80 % of its duration. */
  fails?: boolean;
  /** The inventory object (cluster, edge cluster, NSX instance) the step upgrades, when it is one. */
  resourceId?: string;
  /** The component being upgraded cannot be reached while this step runs (its downtime). */
  unavailable?: boolean;
}

export type StepStatus = "PENDING" | "IN_PROGRESS" | "SUCCESSFUL" | "FAILED";

export interface StepView {
  step: PlanStep;
  status: StepStatus;
  startMs?: number;
  endMs?: number;
  /** 0..1 within the step. */
  progress: number;
}

export interface PlanView {
  steps: StepView[];
  state: "RUNNING" | "SUCCEEDED" | "FAILED";
  endMs?: number;
  /** 0..1 over the whole plan. */
  progress: number;
}

const FAIL_AT = 0.8;

/** `neverFinishes` keeps the last step running forever (for clients' deadline tests). */
export function evaluatePlan(
  steps: readonly PlanStep[],
  startMs: number,
  nowMs: number,
  neverFinishes = false,
): PlanView {
  const views: StepView[] = [];
  let cursor = startMs;
  let state: PlanView["state"] = "SUCCEEDED";
  let endMs: number | undefined;
  const total = steps.reduce((sum, s) => sum + s.seconds, 0) || 1;
  let doneSeconds = 0;
  for (const [index, step] of steps.entries()) {
    if (state !== "SUCCEEDED") {
      views.push({ step, status: "PENDING", progress: 0 });
      continue;
    }
    const last = index === steps.length - 1;
    const runMs = step.seconds * 1000 * (step.fails ? FAIL_AT : 1);
    const stepEnd = cursor + runMs;
    if (nowMs < cursor) {
      views.push({ step, status: "PENDING", progress: 0 });
      state = "RUNNING";
    } else if (nowMs < stepEnd || (last && neverFinishes)) {
      const progress = runMs > 0 ? Math.min(0.99, (nowMs - cursor) / (step.seconds * 1000)) : 0.99;
      views.push({ step, status: "IN_PROGRESS", startMs: cursor, progress });
      doneSeconds += step.seconds * progress;
      state = "RUNNING";
    } else if (step.fails) {
      views.push({ step, status: "FAILED", startMs: cursor, endMs: stepEnd, progress: FAIL_AT });
      doneSeconds += step.seconds * FAIL_AT;
      state = "FAILED";
      endMs = stepEnd;
    } else {
      views.push({ step, status: "SUCCESSFUL", startMs: cursor, endMs: stepEnd, progress: 1 });
      doneSeconds += step.seconds;
      endMs = stepEnd;
    }
    cursor = stepEnd;
  }
  return {
    steps: views,
    state,
    endMs: state === "RUNNING" ? undefined : endMs,
    progress: Math.min(1, doneSeconds / total),
  };
}

/** When each step starts and ends, relative to the plan's start (for outage windows and effects). */
export function stepWindow(
  steps: readonly PlanStep[],
  index: number,
  startMs: number,
): { startMs: number; endMs: number } {
  let cursor = startMs;
  for (let i = 0; i < index; i += 1) cursor += (steps[i]?.seconds ?? 0) * 1000;
  return { startMs: cursor, endMs: cursor + (steps[index]?.seconds ?? 0) * 1000 };
}
