export type { RunStore } from "../engine/run-store";
export { MemoryRunStore } from "./memory-store";
export {
  FileRunStore,
  DEFAULT_RUN_STORE_NAME,
  DEFAULT_PROGRESS_DELAY_MS,
  fileNameForRun,
  type FileRunStoreOptions,
} from "./file-store";
export { AtomicFileWriter, readStateFile } from "./atomic-file";
export { runFileText, FORMAT_KEY, FORMAT_VERSION } from "./stored-entry";
export { FileFleetStore, MemoryFleetStore, fleetFileName } from "./fleet-store";
