import type { ApiErrorBody, SubTask, Task } from "../../vcf/types";
import { normalizeStatus } from "../../vcf/status";

/** Errors of a task plus, recursively, those of its failed subtasks and stages (deepest last). */
export function collectTaskErrors(task: Task): ApiErrorBody[] {
  const found: ApiErrorBody[] = [...(task.errors ?? [])];
  const visit = (sub: SubTask, depth: number): void => {
    if (depth > 20) return;
    found.push(...(sub.errors ?? []));
    for (const stage of sub.stages ?? []) {
      if (normalizeStatus(stage.status) === "FAILED" || (stage.errors?.length ?? 0) > 0)
        found.push(...(stage.errors ?? []));
    }
    for (const child of sub.subTasks ?? []) visit(child, depth + 1);
  };
  for (const sub of task.subTasks ?? []) visit(sub, 0);
  return found;
}
