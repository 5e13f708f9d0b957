import type { ApiReply } from "./router";
import type { TaskBody } from "./tasks";

/** The answers route handlers build: 200 with a body, 202 with a Task, a page of elements. */

export function ok(json: unknown): ApiReply {
  return { status: 200, json };
}

/** 202 with the Task body and `Location: /v1/tasks/{id}` (§0). */
export function accepted(task: TaskBody): ApiReply {
  return { status: 202, json: task, headers: { Location: `/v1/tasks/${task.id}` } };
}

export function page(elements: unknown[], status = 200): ApiReply {
  return {
    status,
    json: {
      elements,
      pageMetadata: {
        pageNumber: 0,
        pageSize: elements.length,
        totalElements: elements.length,
        totalPages: elements.length > 0 ? 1 : 0,
      },
    },
  };
}
