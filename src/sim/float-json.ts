/** JSON writing with the real server's float spelling for counts (`2.0`, not `2`). */

const FLOAT_MARK = "@@sim-float@@";

/** A number written with a decimal point by toJson (JSON.stringify alone writes a marker string). */
export class JsonFloat {
  constructor(readonly value: number) {}
  toJSON(): string {
    return `${FLOAT_MARK}${this.value}`;
  }
}

export function float(value: number): JsonFloat {
  return new JsonFloat(value);
}

export function toJson(value: unknown): string {
  return JSON.stringify(value).replace(new RegExp(`"${FLOAT_MARK}(-?[0-9.e+-]+)"`, "g"), (_m, n: string) =>
    /[.e]/.test(n) ? n : `${n}.0`,
  );
}
