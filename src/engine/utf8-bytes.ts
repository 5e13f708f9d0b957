// Text sizes in UTF-8 bytes, as files and Home Assistant count them.

export function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

/** Cuts to at most `max` UTF-8 bytes without splitting a character. */
export function truncateBytes(text: string, max: number): string {
  if (byteLength(text) <= max) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const size = byteLength(ch);
    if (used + size > max) break;
    out += ch;
    used += size;
  }
  return out;
}
