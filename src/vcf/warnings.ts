/** Warnings the client reports with a code and parameters, so that a user interface can word them in its language. */
export interface ClientWarning {
  code: "TLS_UNVERIFIED" | "TOKEN_REFRESH_FAILED";
  params?: Record<string, string>;
}
