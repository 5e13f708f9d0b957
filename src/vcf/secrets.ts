/**
 * Last line of defence against leaking credentials: every error message and log line the client produces
 * passes through `scrub`, which blanks the password, the tokens it has held, and anything shaped like a
 * bearer header, even if a server echoes them back in an error body.
 */
const BEARER = /Bearer\s+[^\s"',;]+/gi;
const MASK = "***";

export class SecretScrubber {
  private readonly secrets = new Set<string>();

  /** Remember a secret; very short strings are ignored so that ordinary words are not masked. */
  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  scrub(text: string): string {
    let out = text.replace(BEARER, MASK);
    for (const secret of this.secrets) out = out.split(secret).join(MASK);
    return out;
  }
}
