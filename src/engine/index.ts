export * from "./types";
export { EngineError, type EngineErrorCode } from "./errors";
export { UpgradeEngine, type EngineDeps } from "./engine";
export { renderMarkdown, statusText, type MarkdownOptions } from "./markdown";
export { chooseRelease, compareVersions } from "./releases";
export { extractFindings, evaluateAssessment, countFindings } from "./findings";
export { waitUntil, type WaitOptions } from "./wait";
export { transition, ALLOWED_TRANSITIONS, isTerminal } from "./transitions";
export type { RunStore } from "../store/run-store";
