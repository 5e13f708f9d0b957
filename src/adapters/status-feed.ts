// vcf-status's runtime: one message per domain on every status change of its run and for its finer progress at most
// once per interval (see change-coalescer.ts), at once for each new plan (shown until a run starts), and the current
// state of every watched domain after each deploy or restart and on request.
import type { DomainStatusView, UpgradePlan, UpgradeRun } from "../engine";
import { ChangeCoalescer, type Schedule } from "./change-coalescer";
import type { VcfConnection } from "./connection";
import { matchesDomain } from "./domain-ref";
import { describeError } from "./errors";
import { t } from "./i18n";
import { statusMessage, type MarkdownLimit } from "./messages";
import type { NodeMessage, NodeStatus } from "./node-red-types";
import { domainsBadge } from "./status-badge";

export interface DomainRef {
  id: string;
  name: string;
}

export interface FeedOutput {
  send(msg: NodeMessage): void;
  status(status: NodeStatus): void;
  warn(text: string): void;
}

/** How often a domain's finer progress is sent; `schedule` replaces the timer in tests. */
export interface FeedTiming {
  progressIntervalMs?: number;
  schedule?: Schedule;
}

/** The default of vcf-status's progress interval. */
export const PROGRESS_INTERVAL_MS = 1000;

export class StatusFeed {
  /** The node's own send, for messages no input asked for (run changes, the state after a deploy). */
  private readonly sendOwn = (msg: NodeMessage): void => this.out.send(msg);
  private readonly changes: ChangeCoalescer<DomainRef>;
  private readonly onChange = (run: UpgradeRun): void => {
    if (this.watches(run.domainId, run.domainName))
      this.changes.changed(run.domainId, run.status, { id: run.domainId, name: run.domainName });
  };
  /** A new plan is sent at once: it changes no status, and it is what the domain shows until a run starts. */
  private readonly onPlan = (plan: UpgradePlan): void => {
    if (this.watches(plan.domainId, plan.domainName))
      this.emit({ id: plan.domainId, name: plan.domainName }, this.sendOwn);
  };
  /** The last state sent of each watched domain, by id, for the node status. */
  private readonly shown = new Map<string, Omit<DomainStatusView, "run"> & { domainName: string }>();

  /**
   * @param domainRef the watched domain's id or name; undefined watches every domain
   */
  constructor(
    private readonly connection: VcfConnection,
    private readonly domainRef: string | undefined,
    private readonly out: FeedOutput,
    private readonly limit: MarkdownLimit,
    timing: FeedTiming = {},
  ) {
    this.changes = new ChangeCoalescer(
      (domain) => this.emit(domain, this.sendOwn),
      timing.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
      timing.schedule,
    );
    const engine = connection.requireEngine();
    engine.on("change", this.onChange);
    engine.on("plan", this.onPlan);
  }

  /**
   * Sends the current state of `ref` (or of the watched domains) once.
   * @param send the input handler's send when a message asked for it; else the node's own
   */
  async emitCurrent(
    ref: string | undefined,
    signal: AbortSignal,
    send: FeedOutput["send"] = this.sendOwn,
  ): Promise<void> {
    for (const domain of await this.domains(ref ?? this.domainRef, signal)) this.emit(domain, send);
  }

  close(): void {
    this.connection.engine?.off("change", this.onChange);
    this.connection.engine?.off("plan", this.onPlan);
    this.changes.close();
  }

  /** The node status covers the watched domains only (a message may ask for another one). */
  private emit(domain: DomainRef, send: FeedOutput["send"]): void {
    const engine = this.connection.requireEngine();
    const view = engine.domainStatus(domain.id);
    // latestPlan gives none while a run is active: a plan made during a run does not hide that run.
    const report = view.run ? engine.report(view.run.id) : undefined;
    send(statusMessage(domain, view, this.limit, engine.latestPlan(domain.id), report));
    if (!this.watches(domain.id, domain.name)) return;
    this.changes.sent(domain.id, view.status);
    this.shown.set(domain.id, {
      domainName: domain.name,
      status: view.status,
      step: view.step,
      progress: view.progress,
    });
    this.out.status(domainsBadge([...this.shown.values()]));
  }

  private watches(domainId: string, domainName: string): boolean {
    return !this.domainRef || matchesDomain({ domainId, domainName }, this.domainRef);
  }

  /** The domains to report: from SDDC Manager, or from the stored runs when it cannot be reached. */
  private async domains(ref: string | undefined, signal: AbortSignal): Promise<DomainRef[]> {
    const engine = this.connection.requireEngine();
    await engine.ready();
    const stored = uniqueDomains(engine.listRuns()).filter(
      (d) => !ref || matchesDomain({ domainId: d.id, domainName: d.name }, ref),
    );
    if (ref && stored.length > 0) return stored;
    try {
      if (ref) {
        const domain = await engine.resolveDomain(ref, signal);
        return [{ id: domain.id, name: domain.name }];
      }
      const client = this.connection.client;
      const listed = client ? await client.getDomains({ signal }) : [];
      return listed.map((d) => ({ id: d.id, name: d.name }));
    } catch (err) {
      if (ref || stored.length === 0) throw err;
      this.out.warn(t("vcf-status.warnings.storedOnly", { error: describeError(err) }));
      return stored;
    }
  }
}

function uniqueDomains(runs: UpgradeRun[]): DomainRef[] {
  const byId = new Map<string, DomainRef>();
  for (const run of runs) byId.set(run.domainId, { id: run.domainId, name: run.domainName });
  return [...byId.values()];
}
