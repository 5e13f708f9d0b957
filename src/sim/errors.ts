/** The API's Error body (UPGRADE-API.md §9). */
export interface ErrorBody {
  errorCode: string;
  errorType?: string;
  arguments?: string[];
  context?: Record<string, string>;
  message: string;
  remediationMessage?: string;
  /** 9.0 only */
  remediationUrl?: string;
  causes?: { type: string; message: string }[];
  nestedErrors?: ErrorBody[];
  referenceToken?: string;
}

/** Thrown by handlers; the server turns it into a JSON Error response. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly remediationMessage?: string,
    readonly args: string[] = [],
  ) {
    super(message);
  }

  /** `api90`: a 9.0 Error also links the fix's documentation (remediationUrl). */
  body(referenceToken: string, api90 = false): ErrorBody {
    const body: ErrorBody = {
      errorCode: this.errorCode,
      errorType: "ERROR",
      arguments: this.args,
      message: this.message,
    };
    if (this.remediationMessage) body.remediationMessage = this.remediationMessage;
    if (this.remediationMessage && api90) body.remediationUrl = `https://docs.vcf.sim.test/errors/${this.errorCode}`;
    body.referenceToken = referenceToken;
    body.nestedErrors = [];
    return body;
  }
}

/** 400 for a request body that breaks the spec; `field` is a JSON path such as `resourceUpgradeSpecs[0].resourceId`. */
export function badField(field: string, problem: string, fix: string): ApiError {
  return new ApiError(400, "INVALID_REQUEST_BODY", `Invalid field '${field}': ${problem}`, fix, [field]);
}

export function notFound(what: string, id: string, errorCode: string, fix: string): ApiError {
  return new ApiError(404, errorCode, `${what} with id ${id} not found`, fix, [id]);
}

/** An Error body for findings and task errors (not thrown). */
export function errorBody(
  errorCode: string,
  message: string,
  extra: Partial<Omit<ErrorBody, "errorCode" | "message">> = {},
): ErrorBody {
  return { errorCode, errorType: "ERROR", message, ...extra, nestedErrors: extra.nestedErrors ?? [] };
}
