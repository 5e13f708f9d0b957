import * as assert from "node:assert/strict";
import { EngineError } from "../../nodes/engine";
import { checkClusterImages, chooseClusterImage } from "../../nodes/engine/steps/cluster-images";
import type { RunningSimulator } from "../../nodes/sim/index";
import type { Personality, SoftwareInfo, UpgradablesClusterResource } from "../../nodes/vcf/types";
import { EngineUnderTest, clientFor, managementDomain, simulator, stopAll } from "./harness";

const ESX = "8.0.3-24280767";

function software(base: string, addOn?: { name: string; vendor: string }, hsm: string[] = []): SoftwareInfo {
  const info: SoftwareInfo = {
    baseImage: { version: base },
    components: {},
    hardwareSupport: { packages: Object.fromEntries(hsm.map((p) => [p, { pkg: p, version: "1.0" }])) },
  };
  if (addOn) info.addOn = { ...addOn, version: "1.0-1" };
  return info;
}

function image(id: string, info: SoftwareInfo): Personality {
  return { personalityId: id, personalityName: id, version: "1", softwareInfo: info };
}

function cluster(id: string, info?: SoftwareInfo): UpgradablesClusterResource {
  const c: UpgradablesClusterResource = { resourceId: id, resourceType: "CLUSTER", vlcmEnabled: true };
  if (info) c.softwareInfo = info;
  return c;
}

const DELL = { name: "DELL-ESXi-addon", vendor: "Dell" };
const HPE = { name: "HPE-Custom-AddOn", vendor: "HPE" };
const IMAGES = [
  image("generic", software("8.0.3-0.0.24280767")),
  image("dell", software("8.0.3-0.0.24280767", DELL, ["dell-hsm"])),
  image("hpe", software("8.0.3-0.0.24280767", HPE)),
  image("old-dell", software("8.0.2-0.0.22380479", DELL, ["dell-hsm"])),
];

describe("engine: choosing each vLCM cluster's image", () => {
  it("matches base image, add-on and hardware support per cluster", () => {
    const dell = cluster("c-dell", software("8.0.2-0.0.22380479", DELL, ["dell-hsm"]));
    const hpe = cluster("c-hpe", software("8.0.2-0.0.22380479", HPE));
    const plain = cluster("c-plain", software("8.0.2-0.0.22380479"));
    assert.equal(chooseClusterImage(dell, "dell-cl", IMAGES, ESX, undefined).personality.personalityId, "dell");
    assert.equal(chooseClusterImage(hpe, "hpe-cl", IMAGES, ESX, undefined).personality.personalityId, "hpe");
    assert.equal(chooseClusterImage(plain, "plain-cl", IMAGES, ESX, undefined).personality.personalityId, "generic");
  });

  it("refuses with no match or several, naming the cluster and the clusterImages fix", () => {
    const lenovo = cluster("c-len", software("8.0.2-0.0.22380479", { name: "Lenovo-AddOn", vendor: "Lenovo" }));
    assert.throws(
      () => chooseClusterImage(lenovo, "len-cl", IMAGES, ESX, undefined),
      (e: unknown) =>
        e instanceof EngineError &&
        /No vLCM cluster image fits the image-based cluster len-cl \(c-len\): it needs ESXi 8\.0\.3-24280767 with add-on Lenovo Lenovo-AddOn/.test(
          e.message,
        ) &&
        /msg\.clusterImages, e\.g\. \{"len-cl": "<personalityId>"\}/.test(e.fix ?? ""),
    );
    const unknown = cluster("c-unknown");
    const twins = [...IMAGES, image("generic-2", software("8.0.3-0.0.24280767"))];
    assert.throws(
      () => chooseClusterImage(cluster("c-plain", software("8.0.2-0.0.1")), undefined, twins, ESX, undefined),
      (e: unknown) =>
        e instanceof EngineError &&
        /Several vLCM cluster images fit .* generic = generic, generic-2 = generic-2/.test(e.message),
    );
    assert.throws(
      () => chooseClusterImage(unknown, "u-cl", IMAGES, ESX, undefined),
      (e: unknown) => e instanceof EngineError && /Several/.test(e.message),
      "without software info only the base image can match: three candidates",
    );
  });

  it("an explicit choice by cluster name or id wins; an unknown image id is bad input", () => {
    const dell = cluster("c-dell", software("8.0.2-0.0.22380479", DELL, ["dell-hsm"]));
    assert.equal(
      chooseClusterImage(dell, "dell-cl", IMAGES, ESX, { "dell-cl": "hpe" }).personality.personalityId,
      "hpe",
    );
    const byId = chooseClusterImage(dell, "dell-cl", IMAGES, ESX, { "c-dell": "old-dell" });
    assert.equal(byId.personality.personalityId, "old-dell");
    assert.match(byId.warning ?? "", /although the target ESXi is 8\.0\.3-24280767/);
    assert.throws(
      () => chooseClusterImage(dell, "dell-cl", IMAGES, ESX, { "dell-cl": "nope" }),
      (e: unknown) => e instanceof EngineError && e.code === "BAD_INPUT" && e.field === "clusterImages",
    );
  });

  it("checks the clusterImages input against the domain's clusters", () => {
    const clusters = [{ id: "c1", name: "cl01" }];
    assert.deepEqual(checkClusterImages({ cl01: " p1 " }, clusters, "sfo-w01"), { cl01: "p1" });
    assert.equal(checkClusterImages(undefined, clusters, "sfo-w01"), undefined);
    for (const bad of [[], "x", { cl09: "p" }, { cl01: "" }, { c1: 5 }]) {
      assert.throws(
        () => checkClusterImages(bad, clusters, "sfo-w01"),
        (e: unknown) => e instanceof EngineError && e.field === "clusterImages",
        JSON.stringify(bad),
      );
    }
  });
});

describe("engine: clusterImages on the start request (simulator)", () => {
  let sim: RunningSimulator;
  let t: EngineUnderTest;
  afterEach(() => stopAll([t], sim));

  it("refuses unknown clusters and images before starting; a valid map is kept on the run and used for the ESXi upgrade", async () => {
    sim = await simulator("happy");
    t = new EngineUnderTest(sim);
    const domain = await t.engine.resolveDomain((await managementDomain(sim)).name);
    const imageCluster = domain.clusters?.[0];
    assert.ok(imageCluster?.name);
    const target = (await clientFor(sim).getPersonalities()).find((p) =>
      p.softwareInfo?.baseImage.version?.startsWith("8.0.3"),
    );
    assert.ok(target);
    await assert.rejects(
      t.engine.startRun({ domain: domain.name, clusterImages: { "no-such-cluster": target.personalityId } }),
      (e: unknown) =>
        e instanceof EngineError && e.field === "clusterImages" && /not a cluster of domain/.test(e.message),
    );
    await assert.rejects(
      t.engine.startRun({ domain: domain.name, clusterImages: { [imageCluster.name]: "no-such-image" } }),
      (e: unknown) =>
        e instanceof EngineError && e.field === "clusterImages" && /no cluster image with that id/.test(e.message),
    );
    assert.deepEqual(t.engine.listRuns(), []);
    const run = await t.engine.startRun({
      domain: domain.name,
      clusterImages: { [imageCluster.name]: target.personalityId },
    });
    assert.deepEqual(run.clusterImages, { [imageCluster.name]: target.personalityId });
    const done = await t.finishRun(run.id);
    assert.equal(done.status, "successfully_completed", done.failureReason);
    const esx = sim
      .requestLog()
      .find(
        (e) =>
          e.method === "POST" &&
          e.path === "/v1/upgrades" &&
          (e.requestBody as { resourceType?: string }).resourceType === "CLUSTER",
      );
    const specs = (
      esx?.requestBody as {
        resourceUpgradeSpecs: { resourceId: string; personalitySpec?: { personalityId: string } }[];
      }
    ).resourceUpgradeSpecs;
    assert.equal(
      specs.find((s) => s.resourceId === imageCluster.id)?.personalitySpec?.personalityId,
      target.personalityId,
    );
  });
});
