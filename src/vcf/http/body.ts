/** Parsing of response bodies that may be JSON, HTML from a proxy, plain text or empty (UPGRADE-API.md §9). */
export type ParsedBody = { kind: "empty" } | { kind: "json"; value: unknown } | { kind: "text"; text: string };

export function parseBody(text: string | undefined, contentType: string | undefined): ParsedBody {
  if (text === undefined || text.trim() === "") return { kind: "empty" };
  const looksJson = /json/i.test(contentType ?? "") || /^\s*[[{"]/.test(text);
  if (looksJson) {
    try {
      return { kind: "json", value: JSON.parse(text) as unknown };
    } catch {
      // a body that claims JSON but is not: treat it as text
    }
  }
  return { kind: "text", text };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
