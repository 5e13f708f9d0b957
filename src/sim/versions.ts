/** Compares dotted versions numerically part by part; a "-build" suffix is compared last. */
export function compareVersions(a: string, b: string): number {
  const [aMain = "", aBuild = "0"] = a.split("-");
  const [bMain = "", bBuild = "0"] = b.split("-");
  const aParts = aMain.split(".").map(Number);
  const bParts = bMain.split(".").map(Number);
  for (let i = 0; i < Math.max(aParts.length, bParts.length); i += 1) {
    const diff = (aParts[i] ?? 0) - (bParts[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return Math.sign(Number(aBuild) - Number(bBuild));
}
