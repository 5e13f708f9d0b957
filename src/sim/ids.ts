import { createHash } from "node:crypto";

/** A stable UUID (version-4 shaped) derived from a name, so ids survive restarts and resets. */
export function stableUuid(name: string): string {
  const hex = createHash("sha1").update(`vcf-sim:${name}`).digest("hex");
  const variant = ((parseInt(hex[16] ?? "0", 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Small seeded PRNG (mulberry32) so fault injection is reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Sequential UUIDs for runtime objects (tasks, upgrades...), unique within one simulator instance. */
export class IdFactory {
  private counter = 0;
  constructor(private readonly prefix: string) {}
  next(kind: string): string {
    this.counter += 1;
    return stableUuid(`${this.prefix}:${kind}:${this.counter}`);
  }
}
