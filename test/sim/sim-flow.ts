import { strict as assert } from "node:assert";
import type { RunningSimulator } from "../../nodes/sim/index";
import { checkExchanges, loadSpec } from "../support/openapi-contract";
import { call, elements, getJson, login } from "../support/sim-http";
import { defined } from "../support/defined";

/** A domain upgrade driven step by step over raw HTTP, shared by the scenario specs. */

export interface Domain {
  id: string;
  name: string;
  type: string;
  upgradeStatus: { status: string; completedResources: number; totalResources: number };
  clusters: { id: string; name: string }[];
}
export interface FutureRelease {
  version: string;
  applicabilityStatus: string;
  bom: { name: string; version: string }[];
  patchBundles: { bundleId: string }[];
}
export interface Upgradable {
  bundleId: string;
  status: string;
  softwareComponents: { id: string; type: string }[];
  errors: unknown[] | null;
}
export interface Task {
  id: string;
  status: string;
  errors: { errorCode: string; message: string; remediationMessage?: string }[];
  subTasks: { name: string; status: string; errors: unknown[]; stages: { status: string; errors: unknown[] }[] }[];
  isRetryable: boolean;
}
export interface QueryResult {
  queryId: string;
  resources: {
    resourceId: string;
    resourceName: string;
    resourceType: string;
    domain: unknown;
    checkSets: { checkSetId: string }[];
  }[];
}

export const TARGET = "5.2.1.0";

/** Every exchange so far fits the OpenAPI spec (checked only where ../shared holds the spec). */
export function assertContract(sim: RunningSimulator): void {
  if (loadSpec()) assert.deepEqual(checkExchanges(sim.requestLog()), []);
}
const BOM_BY_RESOURCE: Record<string, string> = {
  SDDC_MANAGER: "SDDC_MANAGER_VCF",
  NSX_T_MANAGER: "NSX_T_MANAGER",
  VCENTER: "VCENTER",
  CLUSTER: "ESX_HOST",
};

export class Flow {
  token = "";
  upgradePosts = 0;

  constructor(readonly sim: RunningSimulator) {}

  async login(): Promise<void> {
    this.token = await login(this.sim);
  }

  async domain(type: "MANAGEMENT" | "VI" = "MANAGEMENT"): Promise<Domain> {
    const domains = await elements<Domain>(this.sim, "/v1/domains", this.token);
    const found = domains.find((d) => d.type === type);
    assert.ok(found, `no ${type} domain`);
    return found;
  }

  async currentVersion(domainId: string): Promise<string> {
    const releases = await elements<{ version: string }>(this.sim, `/v1/releases?domainId=${domainId}`, this.token);
    return releases[0]?.version ?? "";
  }

  async targetRelease(domainId: string): Promise<FutureRelease> {
    const releases = await elements<FutureRelease>(
      this.sim,
      `/v1/releases/domains/${domainId}/future-releases`,
      this.token,
    );
    const release = releases.find((r) => r.version === TARGET);
    assert.ok(release);
    return release;
  }

  async setTarget(domainId: string): Promise<void> {
    const res = await call(this.sim, "PATCH", `/v1/releases/domains/${domainId}`, {
      token: this.token,
      body: { targetVersion: TARGET },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.text, "");
  }

  async upgradables(domainId: string): Promise<Upgradable[]> {
    return elements<Upgradable>(this.sim, `/v1/upgradables/domains/${domainId}?targetVersion=${TARGET}`, this.token);
  }

  async requestDownload(bundleId: string): Promise<Task> {
    const res = await call(this.sim, "PATCH", `/v1/bundles/${bundleId}`, {
      token: this.token,
      body: { bundleDownloadSpec: { downloadNow: true } },
    });
    assert.equal(res.status, 202, res.text);
    const task = res.json as Task;
    assert.equal(res.headers.get("location"), `/v1/tasks/${task.id}`);
    return task;
  }

  async bundleStatus(bundleId: string): Promise<string> {
    return (await getJson<{ downloadStatus: string }>(this.sim, `/v1/bundles/${bundleId}`, this.token)).downloadStatus;
  }

  /** Requests every bundle not yet downloaded, then lets four simulated hours pass. */
  async downloadAll(domainId: string): Promise<string[]> {
    const ids = (await this.upgradables(domainId)).map((u) => u.bundleId);
    for (const id of ids) if ((await this.bundleStatus(id)) === "PENDING") await this.requestDownload(id);
    await this.advance(4 * 3600);
    return ids;
  }

  /** Advances the simulated clock and logs in again (the token may have expired meanwhile). */
  async advance(seconds: number): Promise<void> {
    this.sim.advanceClock(seconds);
    await this.login();
  }

  /** The two-step check-set query, then a run of everything the second query offered. */
  async startPrechecks(domainId: string): Promise<string> {
    const first = await this.post<QueryResult>(
      "/v1/system/check-sets/queries",
      { checkSetType: "UPGRADE", domains: [{ domainId }] },
      200,
    );
    const release = await this.targetRelease(domainId);
    const types = [...new Set(first.resources.map((r) => r.resourceType))];
    const resources = types.map((resourceType) => ({
      resourceType,
      resourceTargetVersion: release.bom.find((b) => b.name === BOM_BY_RESOURCE[resourceType])?.version,
    }));
    const second = await this.post<QueryResult>(
      "/v1/system/check-sets/queries",
      { checkSetType: "UPGRADE", domains: [{ domainId, resources }] },
      200,
    );
    const task = await this.post<Task>(
      "/v1/system/check-sets",
      {
        queryId: second.queryId,
        resources: second.resources.map((r) => ({
          resourceType: r.resourceType,
          resourceId: r.resourceId,
          resourceName: r.resourceName,
          domain: r.domain,
          checkSets: r.checkSets.map((c) => ({ checkSetId: c.checkSetId })),
        })),
        metadata: { targetVersion: TARGET },
      },
      202,
    );
    return task.id;
  }

  async post<T>(path: string, body: unknown, expected: number): Promise<T> {
    const res = await call(this.sim, "POST", path, { token: this.token, body });
    assert.equal(res.status, expected, `${path}: ${res.text}`);
    return res.json as T;
  }

  /** Starts the AVAILABLE upgradable (exactly one POST) and advances the clock until it ends; returns the final status. */
  async upgradeNext(domainId: string): Promise<{ status: string; upgradable: Upgradable; taskId: string }> {
    const list = await this.upgradables(domainId);
    const available = list.filter((u) => u.status === "AVAILABLE");
    assert.equal(
      available.length,
      1,
      `exactly one AVAILABLE upgradable expected: ${JSON.stringify(list.map((u) => u.status))}`,
    );
    const upgradable = defined(available[0], "the AVAILABLE upgradable");
    const task = await this.post<Task>(
      "/v1/upgrades",
      {
        bundleId: upgradable.bundleId,
        resourceType: "DOMAIN",
        resourceUpgradeSpecs: [{ resourceId: domainId, upgradeNow: true }],
      },
      202,
    );
    this.upgradePosts += 1;
    const status = await this.waitForUpgrade(task.id);
    return { status, upgradable, taskId: task.id };
  }

  /** Advances simulated time in 10-minute steps; logs in again after a 401 (SDDC Manager restart). */
  async waitForUpgrade(id: string): Promise<string> {
    for (let step = 0; step < 200; step += 1) {
      this.sim.advanceClock(600);
      let res;
      try {
        res = await call(this.sim, "GET", `/v1/upgrades/${id}`, { token: this.token });
      } catch {
        continue; // connection dropped during the SDDC Manager outage
      }
      if (res.status === 401) {
        await this.login();
        continue;
      }
      if (res.status === 503) continue;
      assert.equal(res.status, 200, res.text);
      const status = (res.json as { status: string }).status;
      if (status !== "INPROGRESS" && status !== "SCHEDULED") return status;
    }
    throw new Error(`upgrade ${id} did not finish`);
  }
}
