// The fleet of one vcf-fleet node, kept in a file in the Node-RED user directory (written atomically like the runs),
// or in memory without one.
import * as path from "node:path";
import type { FleetRecord, FleetStore } from "../engine/fleet/types";
import { AtomicFileWriter, readStateFile } from "./atomic-file";

const FORMAT_VERSION = 1;

interface FleetFile {
  fleetFileFormat: number;
  fleet: FleetRecord;
}

/** The file of a fleet node's fleet: <userDir>/vcf-upgrade-fleet-<node id>.json. */
export function fleetFileName(nodeId: string): string {
  return `vcf-upgrade-fleet-${nodeId.replace(/[^A-Za-z0-9_.-]/g, "_")}.json`;
}

export class FileFleetStore implements FleetStore {
  readonly file: string;
  private fleet: FleetRecord | undefined;
  private readonly writer: AtomicFileWriter;

  constructor(directory: string, nodeId: string) {
    this.file = path.join(directory, fleetFileName(nodeId));
    this.writer = new AtomicFileWriter(this.file, () =>
      JSON.stringify({ fleetFileFormat: FORMAT_VERSION, fleet: this.fleet } satisfies Partial<FleetFile>),
    );
  }

  /** The stored fleet; a file that is not one (damaged, another format) is refused with an error naming it. */
  async load(): Promise<FleetRecord | undefined> {
    const text = await readStateFile(this.file);
    if (text === undefined) return undefined;
    let content: Partial<FleetFile>;
    try {
      content = JSON.parse(text) as Partial<FleetFile>;
    } catch {
      throw new Error(`${this.file} is not valid JSON (damaged or cut short)`);
    }
    if (content.fleetFileFormat !== FORMAT_VERSION || typeof content.fleet !== "object" || content.fleet === null)
      throw new Error(`${this.file} is not a fleet file of format ${FORMAT_VERSION}`);
    this.fleet = content.fleet;
    return structuredClone(content.fleet);
  }

  save(fleet: FleetRecord): Promise<void> {
    this.fleet = structuredClone(fleet);
    return this.writer.schedule();
  }
}

export class MemoryFleetStore implements FleetStore {
  private fleet: FleetRecord | undefined;

  async load(): Promise<FleetRecord | undefined> {
    return this.fleet && structuredClone(this.fleet);
  }

  async save(fleet: FleetRecord): Promise<void> {
    this.fleet = structuredClone(fleet);
  }
}
