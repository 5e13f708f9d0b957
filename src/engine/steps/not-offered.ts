// What an SDDC Manager does not offer (it answered 404 for the endpoint), remembered per client so that no run asks
// again. Forgotten when SDDC Manager has upgraded itself: another version may offer it.
import type { VcfClient } from "../../vcf/client";
import { httpStatusOf } from "../remote-errors";

const notOffered = new WeakMap<VcfClient, Set<string>>();

export function isOffered(client: VcfClient, path: string): boolean {
  return notOffered.get(client)?.has(path) !== true;
}

/** Remembers `path` as not offered when `err` is a 404; true when it was. */
export function rememberIfNotOffered(client: VcfClient, path: string, err: unknown): boolean {
  if (httpStatusOf(err) !== 404) return false;
  const paths = notOffered.get(client) ?? new Set<string>();
  paths.add(path);
  notOffered.set(client, paths);
  return true;
}

export function forgetNotOffered(client: VcfClient): void {
  notOffered.delete(client);
}
