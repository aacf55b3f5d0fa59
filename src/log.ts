import { InputError, oneLine } from './errors.js';
import { formatLine, plainFormat, readLogConfigFile, type LineFormat } from './log-format.js';

/**
 * Logger for stderr: stdout belongs to the Singer stream alone.
 * Lines follow the Meltano SDK format `time | LEVEL    | logger               | message`; under
 * Meltano (SINGER_SDK_LOG_CONFIG, see log-format.ts) they take the format Meltano asks for, so
 * Meltano shows one timestamp and the tap's own level. The level comes from
 * TAP_ROCKETCHAT_LOGLEVEL or LOGLEVEL (else from Meltano's logging config, else info).
 */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };
export const LOG_LEVEL_NAMES = Object.keys(LEVELS) as LogLevel[];

let threshold = LEVELS.info;
let metricsThreshold = LEVELS.info;
let format: LineFormat = plainFormat();
let sink: (line: string) => void = (line) => process.stderr.write(line);

/** `warn` is accepted for `warning` (and `critical` for `error`), case-insensitively; anything else throws. */
export function parseLogLevel(raw: string, where: string): LogLevel {
  const value = raw.trim().toLowerCase();
  if (value === 'warn') return 'warning';
  if (value === 'critical' || value === 'fatal') return 'error';
  if (value in LEVELS) return value as LogLevel;
  throw new InputError(`${where} must be one of ${LOG_LEVEL_NAMES.join(', ')} (got ${JSON.stringify(raw)})`);
}

/**
 * Reads the environment once at start-up: the level variables (an unknown level is an InputError
 * naming the allowed ones) and Meltano's SINGER_SDK_LOG_CONFIG.
 */
export function configureLogging(env: NodeJS.ProcessEnv = process.env): void {
  const fromFile = env.SINGER_SDK_LOG_CONFIG ? readLogConfigFile(env.SINGER_SDK_LOG_CONFIG) : undefined;
  format = fromFile?.format ?? plainFormat();
  const variable = env.TAP_ROCKETCHAT_LOGLEVEL !== undefined && env.TAP_ROCKETCHAT_LOGLEVEL !== '' ? 'TAP_ROCKETCHAT_LOGLEVEL' : env.LOGLEVEL ? 'LOGLEVEL' : undefined;
  if (variable) threshold = LEVELS[parseLogLevel(env[variable]!, variable)];
  else if (fromFile?.level) threshold = LEVELS[parseLogLevel(fromFile.level, `the root level of SINGER_SDK_LOG_CONFIG (${env.SINGER_SDK_LOG_CONFIG})`)];
  if (fromFile?.problem) new Logger('tap-rocketchat').warn(fromFile.problem);
}

/** For tests: capture log lines instead of writing them to stderr. */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

/** The `metrics_log_level` setting: METRIC lines below it are not written (see metrics.ts). */
export function setMetricsLogLevel(level: LogLevel): void {
  metricsThreshold = LEVELS[level];
}

/** Whether a METRIC line of this detail is written: it must pass metrics_log_level and the log level. */
export function metricEnabled(detail: 'debug' | 'info'): boolean {
  return LEVELS[detail] >= metricsThreshold && LEVELS.info >= threshold;
}

export function isDebugEnabled(): boolean {
  return threshold <= LEVELS.debug;
}

export class Logger {
  constructor(readonly name: string) {}

  private write(level: LogLevel, message: string): void {
    if (LEVELS[level] < threshold) return;
    // One event, one line: text from config files or servers must not be able to forge log lines.
    sink(formatLine(format, { time: new Date(), level, name: this.name, message: oneLine(message) }) + '\n');
  }

  debug(message: string): void {
    this.write('debug', message);
  }
  info(message: string): void {
    this.write('info', message);
  }
  warn(message: string): void {
    this.write('warning', message);
  }
  error(message: string): void {
    this.write('error', message);
  }
}

export function logger(name: string): Logger {
  return new Logger(name);
}
