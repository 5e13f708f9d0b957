export * from "./types";
export { EngineError, type EngineErrorCode } from "./errors";
export { engineText, englishText, isTextList, verbatimText, type EngineText, type EngineTextParams } from "./catalog";
export { UpgradeEngine, type CancelOptions, type EngineDeps, type EngineWarning, type StartRefusal } from "./engine";
export type { DomainDiscovery } from "./discovery";
export { remoteWorkWarning } from "./remote-work";
export { remoteCancelReport } from "./remote-cancel";
export {
  checkUpgradeOptions,
  describeUpgradeOptions,
  RETRY_COUNT,
  RETRY_DELAY_SECONDS,
  type UpgradeOptions,
} from "./upgrade-options";
export { renderMarkdown, statusText, type MarkdownOptions } from "./markdown";
export { chooseRelease } from "./releases";
export { compareVersions, sameVersion } from "./versions";
export { byteLength } from "./utf8-bytes";
export { plural } from "./plural";
export { extractFindings, evaluateAssessment, countFindings } from "./findings";
export { waitUntil, type WaitOptions } from "./wait";
export { resolveSettings, SETTING_MAX_MS, SETTING_MAX_COUNT } from "./settings";
export { transition, ALLOWED_TRANSITIONS, isTerminal } from "./transitions";
export { nextPhase, PHASE_ORDER } from "./ownership";
export type { RunStore } from "./run-store";
export { describeUnreadableRun, type UnreadableRun } from "./unreadable-run";
export { renderPlanMarkdown, formatDuration } from "./plan/markdown";
export type { UpgradePlan, PlanComponent, PlanBundle, PlanNote, PlanRequest, DurationEstimate } from "./plan/types";
export { checkWindowSetting } from "./windows/parse";
export { windowStatus, type WindowStatus } from "./windows/status";
export type { WindowRequest } from "./windows/run-window";
export type { RunWindow, WindowDef, Opening } from "./windows/types";
export { FleetRunner, type FleetRunnerDeps } from "./fleet/fleet-runner";
export * from "./fleet/types";
export { buildRunReport, type ReportContext } from "./report/build";
export { renderReportMarkdown, type ReportMarkdownOptions } from "./report/markdown";
export { sumReports, renderFleetReportMarkdown, type FleetEntry } from "./report/fleet";
export type {
  RunReport,
  ReportOutcome,
  ReportActor,
  ReportPhase,
  ReportComponent,
  FleetReport,
  FleetReportRow,
} from "./report/types";
