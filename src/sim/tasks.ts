import { isoAt } from "./clock";
import type { ErrorBody } from "./errors";
import { ApiError, notFound } from "./errors";
import type { PlanView } from "./plan";

/** Task bodies (UPGRADE-API.md §8) and the registry behind GET /v1/tasks. */

export interface TaskResource {
  resourceId: string;
  type: string;
  name?: string;
  fqdn?: string;
}

export interface StageBody {
  name: string;
  type: string;
  description: string;
  status: string;
  creationTimestamp: string;
  completionTimestamp?: string;
  errors: ErrorBody[];
}

/** A sub-task; 9.0 may leave out its `type`. */
export interface SubTaskBody extends Omit<StageBody, "type"> {
  type?: string;
  stages: StageBody[];
}

export interface TaskBody {
  id: string;
  name: string;
  localizableDescriptionPack: { component: string; messageKey: string; arguments: string[]; message: string };
  type: string;
  status: string;
  creationTimestamp: string;
  completionTimestamp?: string;
  resources: TaskResource[];
  subTasks: SubTaskBody[];
  errors: ErrorBody[];
  resolutionStatus?: string;
  isCancellable: boolean;
  isRetryable: boolean;
}

interface TaskSource {
  render(): TaskBody;
  /** False while the task is not on record (a fault switched off): GET answers 404 and the list leaves it out. */
  listed?(): boolean;
  /** PATCH /v1/tasks/{id}: restart a failed task. */
  retry?(): void;
}

export class TaskRegistry {
  private readonly sources = new Map<string, TaskSource>();

  register(id: string, source: TaskSource): void {
    this.sources.set(id, source);
  }

  get(id: string): TaskBody {
    const source = this.sources.get(id);
    if (!source || source.listed?.() === false)
      throw notFound("Task", id, "TASK_NOT_FOUND", "Use the id returned in the 202 response (or GET /v1/tasks).");
    return source.render();
  }

  all(): TaskBody[] {
    return [...this.sources.values()].filter((s) => s.listed?.() !== false).map((s) => s.render());
  }

  retry(id: string): void {
    const source = this.sources.get(id);
    if (!source) throw notFound("Task", id, "TASK_NOT_FOUND", "Use an existing task id.");
    const task = source.render();
    if (!source.retry || !task.isRetryable || normalize(task.status) !== "FAILED") {
      throw new ApiError(
        409,
        "TASK_NOT_RETRYABLE",
        `Only a failed, retryable Task can be retried (task ${id} is ${task.status})`,
        "Check isRetryable and the status before retrying.",
        [id],
      );
    }
    source.retry();
  }
}

export function normalize(status: string): string {
  return status.toUpperCase().replace(/ /g, "_");
}

export function describe(message: string, messageKey: string): TaskBody["localizableDescriptionPack"] {
  return { component: "LCM", messageKey, arguments: [], message };
}

/**
 * Sub-tasks as a 9.0 SDDC Manager lists them: without `type`, and led by a step it skipped (status SKIPPED, new in
 * 9.0) because VCF Operations, not SDDC Manager, looks after that integration.
 */
export function subTasks90(subTasks: SubTaskBody[], createdMs: number): SubTaskBody[] {
  const created = isoAt(createdMs);
  const skipped: SubTaskBody = {
    name: "VCF Operations integration update",
    description: "Skipped: VCF Operations updates its own integration",
    status: "SKIPPED",
    creationTimestamp: created,
    completionTimestamp: created,
    stages: [],
    errors: [],
  };
  return [skipped, ...subTasks.map(({ type: _type, ...rest }) => rest)];
}

/** SubTasks from a plan; the failed step carries `failure` in its errors and in one FAILED stage. */
export function planSubTasks(plan: PlanView, createdMs: number, failure: ErrorBody | undefined): SubTaskBody[] {
  return plan.steps.map((view) => {
    const created = isoAt(view.startMs ?? createdMs);
    const sub: SubTaskBody = {
      name: view.step.name,
      type: view.step.type,
      description: view.step.description,
      status: view.status,
      creationTimestamp: created,
      stages: [],
      errors: [],
    };
    if (view.endMs !== undefined) sub.completionTimestamp = isoAt(view.endMs);
    if (view.status === "FAILED" && failure) {
      sub.errors = [failure];
      sub.stages = [
        {
          name: `${view.step.name}: remediation`,
          type: `${view.step.type}_STAGE`,
          description: failure.message,
          status: "FAILED",
          creationTimestamp: created,
          completionTimestamp: sub.completionTimestamp,
          errors: [failure],
        },
      ];
    }
    return sub;
  });
}
