/**
 * How one log line looks. Outside Meltano: the Meltano SDK's default
 * `{asctime} | {levelname:8} | {name:20} | {message}`. Meltano runs Singer plugins with
 * SINGER_SDK_LOG_CONFIG naming a Python logging config (JSON) whose formatter is either a format
 * string (`%(message)s`: Meltano adds its own timestamp) or, when the plugin declares the
 * `structured-logging` capability, singer-sdk's StructuredFormatter: one JSON object a line, which
 * Meltano parses for the level, logger and message (https://sdk.meltano.com/en/latest/implementation/logging.html).
 * We read that file the way singer-sdk taps do and write what it asks for.
 */
import { readFileSync } from 'node:fs';
import { TAP_NAME } from './package-info.js';

export type LineFormat =
  | { kind: 'structured' }
  /** A Python logging format string, `%`-style or `{`-style. */
  | { kind: 'template'; template: string; style: '%' | '{' };

export interface LogEvent {
  time: Date;
  level: 'debug' | 'info' | 'warning' | 'error';
  name: string;
  message: string;
}

const SDK_FORMAT = '{asctime} | {levelname:8} | {name:20} | {message}';

export function plainFormat(): LineFormat {
  return { kind: 'template', template: SDK_FORMAT, style: '{' };
}

/** 2024-07-16 08:50:02,133 (Python's asctime, in UTC). */
function asctime(time: Date): string {
  const iso = time.toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}

function field(event: LogEvent, key: string): string {
  switch (key) {
    case 'asctime':
      return asctime(event.time);
    case 'levelname':
      return event.level.toUpperCase();
    case 'levelno':
      return String({ debug: 10, info: 20, warning: 30, error: 40 }[event.level]);
    case 'name':
      return event.name;
    case 'message':
      return event.message;
    case 'process':
      return String(process.pid);
    case 'created':
      return String(event.time.getTime() / 1000);
    case 'threadName':
      return 'MainThread';
    default:
      return '';
  }
}

function pad(value: string, width: string | undefined, alignLeft: boolean): string {
  const n = width ? Number(width) : 0;
  return alignLeft ? value.padEnd(n) : value.padStart(n);
}

export function formatLine(format: LineFormat, event: LogEvent): string {
  if (format.kind === 'structured') {
    // The fields Meltano's singer-sdk parser requires (level, pid, logger_name, ts, thread_name,
    // app_name, message), as singer-sdk's StructuredFormatter writes them.
    return JSON.stringify({
      level: event.level, pid: process.pid, logger_name: event.name, ts: event.time.getTime() / 1000,
      thread_name: 'MainThread', app_name: TAP_NAME, message: event.message,
    });
  }
  if (format.style === '{') {
    // {name}, {levelname:8}, {name:>20}: strings align left unless told otherwise.
    return format.template.replace(/\{(\w+)(?::([<>^]?)(\d*))?\}/g, (_, key: string, align: string, width: string) =>
      pad(field(event, key), width, align !== '>'));
  }
  return format.template.replace(/%%|%\((\w+)\)(-?)(\d*)(?:\.\d+)?[sdfr]/g, (match, key: string | undefined, minus: string, width: string) =>
    match === '%%' ? '%' : pad(field(event, key!), width, minus === '-'));
}

interface DictConfig {
  formatters?: Record<string, { '()'?: unknown; format?: unknown; style?: unknown }>;
  handlers?: Record<string, { formatter?: unknown }>;
  root?: { handlers?: unknown; level?: unknown };
}

/** What a SINGER_SDK_LOG_CONFIG file asks for; `problem` when it cannot be used (defaults then). */
export function readLogConfigFile(path: string): { format?: LineFormat; level?: string; problem?: string } {
  let config: DictConfig;
  try {
    config = JSON.parse(readFileSync(path, 'utf8')) as DictConfig;
  } catch (err) {
    return { problem: `SINGER_SDK_LOG_CONFIG ${path} is not a JSON logging config (${(err as Error).message}): using the default log format` };
  }
  const level = typeof config.root?.level === 'string' ? config.root.level : undefined;
  const handler = Array.isArray(config.root?.handlers) ? String(config.root.handlers[0]) : Object.keys(config.handlers ?? {})[0];
  const formatterName = handler === undefined ? undefined : config.handlers?.[handler]?.formatter;
  const formatter = typeof formatterName === 'string' ? config.formatters?.[formatterName] : undefined;
  if (!formatter) return { level };
  if (typeof formatter['()'] === 'string' && /StructuredFormatter$/.test(formatter['()'])) return { level, format: { kind: 'structured' } };
  if (typeof formatter.format === 'string') {
    return { level, format: { kind: 'template', template: formatter.format, style: formatter.style === '{' ? '{' : '%' } };
  }
  return { level };
}
