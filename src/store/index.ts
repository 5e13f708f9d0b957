export type { RunStore } from "./run-store";
export { MemoryRunStore } from "./memory-store";
export {
  FileRunStore,
  DEFAULT_RUN_STORE_NAME,
  DEFAULT_PROGRESS_DELAY_MS,
  fileNameForRun,
  type FileRunStoreOptions,
} from "./file-store";
export { TAKEN_OVER_SUFFIX } from "./single-file";
export { AtomicFileWriter, readStateFile, writeFileAtomically } from "./atomic-file";
