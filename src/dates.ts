/** ISO 8601 date or date-time, as Meltano's date_iso8601 setting kind produces. */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * The date, or undefined when `value` is not a real ISO 8601 date. `new Date()` alone accepts
 * 2024-02-30 (as 1 March), so the calendar fields are checked first.
 */
export function parseIsoDate(value: string): Date | undefined {
  const match = ISO_DATE.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0'] = match;
  const year = Number(y);
  const month = Number(mo);
  if (month < 1 || month > 12 || Number(d) < 1 || Number(d) > daysInMonth(year, month)) return undefined;
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** The shape of `Date.prototype.toISOString()`, which is how Rocket.Chat's JSON carries dates. */
const CANONICAL_STAMP = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/**
 * Whether `value` is a date-time string that Date.parse reads. Checked once per message, so the
 * canonical form is matched by a regular expression first (a quarter of Date.parse's cost).
 */
export function isDateTimeString(value: unknown): value is string {
  return typeof value === 'string' && (CANONICAL_STAMP.test(value) || !Number.isNaN(Date.parse(value)));
}
