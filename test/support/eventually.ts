// For a condition no event announces (a request in the simulator's log, a warning a node logged): checked every
// 20 ms up to an upper bound, which is a limit for a broken run, not a timing assumption.
export async function eventually(check: () => boolean, limitMs = 20_000): Promise<boolean> {
  const end = Date.now() + limitMs;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}
