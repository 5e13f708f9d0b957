import type { Inventory } from "./inventory";
import { ApiError } from "./errors";

/**
 * Which API the simulated SDDC Manager speaks: 5.2.1's while it runs 5.x, 9.0.2's once it runs 9.x (UPGRADE-API.md
 * §15). A 5.2 -> 9.0 scenario switches when SDDC Manager's own upgrade ends, as the real one does.
 */
export type SimApiGeneration = "5.2" | "9.0";

export function apiGenerationOf(inventory: Pick<Inventory, "sddcManager">): SimApiGeneration {
  return Number(inventory.sddcManager.version.split(".")[0]) >= 9 ? "9.0" : "5.2";
}

export function speaks90(inventory: Pick<Inventory, "sddcManager">): boolean {
  return apiGenerationOf(inventory) === "9.0";
}

/** A 9.0-only endpoint asked of a 5.2 SDDC Manager: 404, as a route it does not have. */
export function requireApi90(inventory: Pick<Inventory, "sddcManager">, path: string): void {
  if (!speaks90(inventory)) {
    throw new ApiError(404, "NOT_FOUND", `No such endpoint on SDDC Manager ${inventory.sddcManager.version}: ${path}`);
  }
}
