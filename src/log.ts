import { oneLine } from './errors.js';

/**
 * Logger for stderr: stdout belongs to the Singer stream alone.
 * Lines follow the Meltano SDK format `time | LEVEL    | logger               | message`
 * so Meltano users read them the same way. The level comes from TAP_ROCKETCHAT_LOGLEVEL or LOGLEVEL.
 */
export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };

function levelFromEnv(): LogLevel {
  const raw = (process.env.TAP_ROCKETCHAT_LOGLEVEL ?? process.env.LOGLEVEL ?? 'info').toLowerCase();
  if (raw === 'warn') return 'warning';
  return raw in LEVELS ? (raw as LogLevel) : 'info';
}

let threshold = LEVELS[levelFromEnv()];
let sink: (line: string) => void = (line) => process.stderr.write(line);

/** For tests: capture log lines instead of writing them to stderr. */
export function setLogSink(fn: (line: string) => void): void {
  sink = fn;
}

export function setLogLevel(level: LogLevel): void {
  threshold = LEVELS[level];
}

function timestamp(): string {
  // 2024-07-16 08:50:02,133 (the SDK's asctime format, in UTC)
  const iso = new Date().toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

export class Logger {
  constructor(readonly name: string) {}

  private write(level: LogLevel, message: string): void {
    if (LEVELS[level] < threshold) return;
    // One event, one line: text from config files or servers must not be able to forge log lines.
    sink(`${timestamp()} | ${level.toUpperCase().padEnd(8)} | ${this.name.padEnd(20)} | ${oneLine(message)}\n`);
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
