export type { RunStore } from "./run-store";
export { MemoryRunStore } from "./memory-store";
export { FileRunStore, DEFAULT_RUN_FILE_NAME } from "./file-store";
export { AtomicFileWriter, readStateFile, writeFileAtomically } from "./atomic-file";
