// vcf-status in "fleet view" mode: one message for all domains of its SDDC Manager (payload.fleet: a row per domain,
// counts per status, a state line and a markdown table), sent on every status change at once and for finer progress at
// most once per interval, after each deploy or restart, and on request. The domains' versions are read from SDDC
// Manager then (a run's end updates them); without SDDC Manager the stored runs are shown.
import { estimatedEnd, fleetView, fleetViewRow, type FleetViewRow } from "../engine/fleet/view";
import { ChangeCoalescer } from "./change-coalescer";
import type { VcfConnection } from "./connection";
import { describeError } from "./errors";
import { t } from "./i18n";
import type { MarkdownLimit } from "./messages";
import type { FeedOutput, FeedTiming } from "./status-feed";
import { PROGRESS_INTERVAL_MS } from "./status-feed";
import { idleBadge } from "./status-badge";
import type { NodeMessage } from "./node-red-types";
import { DEFAULT_SETTINGS, type UpgradeRun } from "../engine";

const KEY = "fleet";

interface KnownDomain {
  name: string;
  version?: string;
}

export class FleetViewFeed {
  private readonly sendOwn = (msg: NodeMessage): void => this.out.send(msg);
  private readonly changes: ChangeCoalescer<true>;
  /** The domains SDDC Manager listed last, with their versions, by id. */
  private readonly known = new Map<string, KnownDomain>();
  /** Each domain's status as the runs' changes told it (cheaper than asking the engine on every change). */
  private readonly statuses = new Map<string, string>();
  private readonly onChange = (run: UpgradeRun): void => {
    if (!this.known.has(run.domainId)) this.known.set(run.domainId, { name: run.domainName });
    this.statuses.set(run.domainId, run.status);
    this.changes.changed(KEY, this.statusKey(), true);
  };

  constructor(
    private readonly connection: VcfConnection,
    private readonly sddcManager: string,
    private readonly out: FeedOutput,
    private readonly limit: MarkdownLimit,
    timing: FeedTiming = {},
  ) {
    this.changes = new ChangeCoalescer(
      () => this.emit(this.sendOwn),
      timing.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
      timing.schedule,
    );
    connection.requireEngine().on("change", this.onChange);
  }

  /** Reads the domains and their versions, then sends the fleet view once (to `send` when a message asked). */
  async emitCurrent(signal: AbortSignal, send: FeedOutput["send"] = this.sendOwn): Promise<void> {
    const engine = this.connection.requireEngine();
    await engine.ready();
    for (const run of engine.listRuns()) this.known.set(run.domainId, { name: run.domainName });
    try {
      for (const { info } of await engine.discoverUpdates(signal))
        this.known.set(info.domainId, { name: info.domainName, version: info.currentVersion || undefined });
    } catch (err) {
      if (this.known.size === 0) throw err;
      this.out.warn(t("vcf-status.warnings.storedOnly", { error: describeError(err) }));
    }
    this.emit(send);
  }

  close(): void {
    this.connection.engine?.off("change", this.onChange);
    this.changes.close();
  }

  /** What makes a change worth sending at once: any domain's status. */
  private statusKey(): string {
    return [...this.statuses.values()].join(",");
  }

  private emit(send: FeedOutput["send"]): void {
    const engine = this.connection.requireEngine();
    const runs = engine.listRuns();
    const now = Date.now();
    const rows: FleetViewRow[] = [...this.known.entries()].map(([id, d]) => {
      const view = engine.domainStatus(id);
      this.statuses.set(id, view.status);
      const end = view.run ? estimatedEnd(view.run, runs, engine.settings, now) : undefined;
      return fleetViewRow({
        sddcManager: this.sddcManager,
        domain: { id, name: d.name },
        view,
        ...(d.version ? { currentVersion: d.version } : {}),
        ...(end ? { estimatedEnd: end } : {}),
      });
    });
    const view = fleetView(rows, this.limit.markdownMaxBytes ?? DEFAULT_SETTINGS.logMaxBytes);
    send({ topic: KEY, payload: { fleet: { sddcManager: this.sddcManager, ...view } } });
    this.changes.sent(KEY, this.statusKey());
    this.out.status(idleBadge(view.state));
  }
}
