import { badField } from "./errors";

/**
 * Hand-written request-body checks. Type and required-field errors are always reported; unknown keys and
 * empty-string values only in strict mode (the default), as a real server rejects them.
 */
export class BodyObject {
  private constructor(
    readonly value: Record<string, unknown>,
    readonly path: string,
    private readonly strict: boolean,
  ) {}

  static root(body: unknown, schema: string, strict: boolean): BodyObject {
    if (!isRecord(body)) {
      throw badField(
        "(body)",
        `must be a JSON object (${schema})`,
        `Send a ${schema} JSON object with Content-Type: application/json.`,
      );
    }
    return new BodyObject(body, "", strict);
  }

  fieldPath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** Rejects keys the schema does not have (strict mode only). */
  allowOnly(schema: string, keys: readonly string[]): this {
    if (!this.strict) return this;
    for (const key of Object.keys(this.value)) {
      if (!keys.includes(key)) {
        throw badField(
          this.fieldPath(key),
          `is not a property of ${schema}`,
          `Allowed properties of ${schema}: ${keys.join(", ")}.`,
        );
      }
    }
    return this;
  }

  string(key: string, required: true): string;
  string(key: string, required?: false): string | undefined;
  string(key: string, required = false): string | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (required)
        throw badField(this.fieldPath(key), "is required", `Set '${this.fieldPath(key)}' to a non-empty string.`);
      return undefined;
    }
    if (typeof v !== "string") {
      throw badField(
        this.fieldPath(key),
        `must be a string, got ${typeName(v)}`,
        `Send '${this.fieldPath(key)}' as a JSON string.`,
      );
    }
    if (v === "" && (required || this.strict)) {
      throw badField(
        this.fieldPath(key),
        "must not be empty",
        `Leave '${this.fieldPath(key)}' out or give it a value.`,
      );
    }
    return v;
  }

  enumString<T extends string>(key: string, values: readonly T[], required: true): T;
  enumString<T extends string>(key: string, values: readonly T[], required?: false): T | undefined;
  enumString<T extends string>(key: string, values: readonly T[], required = false): T | undefined {
    const v = required ? this.string(key, true) : this.string(key);
    if (v === undefined) return undefined;
    if (!(values as readonly string[]).includes(v)) {
      throw badField(
        this.fieldPath(key),
        `must be one of ${values.join(", ")}, got '${v}'`,
        `Use one of: ${values.join(", ")}.`,
      );
    }
    return v as T;
  }

  boolean(key: string): boolean | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "boolean") {
      throw badField(
        this.fieldPath(key),
        `must be a boolean, got ${typeName(v)}`,
        `Send '${this.fieldPath(key)}' as true or false.`,
      );
    }
    return v;
  }

  integer(key: string, min: number, max: number): number | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
      throw badField(
        this.fieldPath(key),
        `must be an integer from ${min} to ${max}`,
        `Send '${this.fieldPath(key)}' as an integer in range.`,
      );
    }
    return v;
  }

  object(key: string, schema: string, required: true): BodyObject;
  object(key: string, schema: string, required?: false): BodyObject | undefined;
  object(key: string, schema: string, required = false): BodyObject | undefined {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (required)
        throw badField(
          this.fieldPath(key),
          `is required (${schema})`,
          `Add '${this.fieldPath(key)}' as a ${schema} object.`,
        );
      return undefined;
    }
    if (!isRecord(v)) {
      throw badField(
        this.fieldPath(key),
        `must be a ${schema} object, got ${typeName(v)}`,
        `Send '${this.fieldPath(key)}' as a JSON object.`,
      );
    }
    return new BodyObject(v, this.fieldPath(key), this.strict);
  }

  /** An array of objects; `minItems` 1 makes it required and non-empty. */
  objects(key: string, schema: string, minItems = 0): BodyObject[] {
    const items = this.array(key, `${schema} objects`, minItems);
    return items.map((item, i) => {
      const path = `${this.fieldPath(key)}[${i}]`;
      if (!isRecord(item))
        throw badField(
          path,
          `must be a ${schema} object, got ${typeName(item)}`,
          `Send each item of '${this.fieldPath(key)}' as a JSON object.`,
        );
      return new BodyObject(item, path, this.strict);
    });
  }

  strings(key: string, minItems = 0): string[] {
    const items = this.array(key, "strings", minItems);
    return items.map((item, i) => {
      if (typeof item !== "string")
        throw badField(`${this.fieldPath(key)}[${i}]`, "must be a string", "Send strings only.");
      return item;
    });
  }

  private array(key: string, of: string, minItems: number): unknown[] {
    const v = this.value[key];
    if (v === undefined || v === null) {
      if (minItems > 0)
        throw badField(
          this.fieldPath(key),
          `is required (an array of ${of})`,
          `Add '${this.fieldPath(key)}' with at least ${minItems} item(s).`,
        );
      return [];
    }
    if (!Array.isArray(v)) {
      throw badField(
        this.fieldPath(key),
        `must be an array of ${of}, got ${typeName(v)}`,
        `Send '${this.fieldPath(key)}' as a JSON array.`,
      );
    }
    if (v.length < minItems) {
      throw badField(
        this.fieldPath(key),
        `must have at least ${minItems} item(s)`,
        `Add at least ${minItems} item(s) to '${this.fieldPath(key)}'.`,
      );
    }
    return v;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  return typeof v;
}
