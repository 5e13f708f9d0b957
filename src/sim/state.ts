import { randomUUID } from "node:crypto";
import { BundleService } from "./bundles";
import { CheckSetService } from "./checksets";
import type { SimClock } from "./clock";
import type { SimContext } from "./context";
import { IdFactory } from "./ids";
import type { Inventory } from "./inventory";
import { buildInventory } from "./inventory";
import { ReadinessService } from "./readiness";
import { ReleaseService } from "./releases";
import { startVersionOf } from "./scenarios";
import { TaskRegistry } from "./tasks";
import type { FaultSettings, ScenarioName } from "./types";
import { UpgradablesView } from "./upgradables";
import { UpgradeService } from "./upgrades";
import { ValidationService } from "./validations";

/** One scenario's worth of estate and state machines; replaced as a whole on reset. */
export class SimState {
  readonly inventory: Inventory;
  readonly tasks = new TaskRegistry();
  readonly bundles: BundleService;
  readonly upgrades: UpgradeService;
  readonly releases: ReleaseService;
  readonly validations: ValidationService;
  readonly checkSets: CheckSetService;
  readonly upgradables: UpgradablesView;
  readonly readiness: ReadinessService;

  constructor(
    readonly scenario: ScenarioName,
    viDomains: number,
    clock: SimClock,
    faults: () => FaultSettings,
    strict: boolean,
  ) {
    this.inventory = buildInventory(viDomains, startVersionOf(scenario));
    const ctx: SimContext = {
      clock,
      inventory: this.inventory,
      tasks: this.tasks,
      ids: new IdFactory(randomUUID()),
      strict,
      faults,
    };
    this.bundles = new BundleService(ctx);
    this.upgrades = new UpgradeService(ctx, this.bundles);
    this.releases = new ReleaseService(ctx, this.upgrades);
    this.validations = new ValidationService(ctx);
    this.checkSets = new CheckSetService(ctx);
    this.upgradables = new UpgradablesView(ctx, this.upgrades, this.bundles);
    this.readiness = new ReadinessService(ctx);
  }

  /** Brings derived state (component and domain versions) up to the simulated now. */
  tick(): void {
    this.upgrades.tick();
    this.releases.tick();
    this.readiness.tick();
  }

  snapshot(): unknown {
    this.tick();
    const inv = this.inventory;
    return {
      scenario: this.scenario,
      sddcManager: { id: inv.sddcManager.id, fqdn: inv.sddcManager.fqdn, version: inv.sddcManager.version },
      domains: inv.domains.map((d) => ({
        id: d.id,
        name: d.name,
        type: d.type,
        version: d.vcfVersion,
        targetVersion: d.targetVersion,
        nsxVersion: d.nsx.version,
        nsxEdgeVersion: d.nsx.edgeVersion,
        vcenterVersion: d.vcenter.version,
        clusters: d.clusters.map((c) => ({
          id: c.id,
          name: c.name,
          esxVersion: c.esxVersion,
          nsxVersion: c.nsxVersion,
          vlcmEnabled: c.vlcmEnabled,
        })),
      })),
      bundles: this.bundles.snapshot(),
      upgrades: this.upgrades.snapshot(),
      checkSetRuns: this.checkSets.snapshot(),
    };
  }
}
