/**
 * Every failure the tap reports is one of these. The CLI's error boundary prints
 * `message` as one line on stderr and exits with `exitCode`; the stack only with --debug.
 * Messages never contain the token or request headers.
 */
export class TapError extends Error {
  /** Process exit code: 2 for bad input (config, catalog, state, flags), 1 for everything else. */
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(oneLine(message), options);
    this.name = new.target.name;
  }
}

/** Bad config, catalog, state or command-line input (including unknown flags). */
export class InputError extends TapError {
  override readonly exitCode = 2;
}

/** A non-retryable HTTP answer, or a retryable one after the retry budget ran out. */
export class HttpError extends TapError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly path: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The server told us to wait longer than `max_rate_limit_wait` allows. */
export class RateLimitWaitError extends HttpError {}

/** Downstream closed stdout (EPIPE): stop quietly. */
export class DownstreamClosedError extends TapError {}

/** SIGTERM or SIGINT arrived: stop promptly after flushing what was written. */
export class InterruptedError extends TapError {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * Newlines written as `\n`: messages quote file contents and server answers, which must not be
 * able to break the one-line error or forge log lines.
 */
export function oneLine(text: string): string {
  return text.includes('\n') || text.includes('\r') ? text.replace(/\r?\n|\r/g, '\\n') : text;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
