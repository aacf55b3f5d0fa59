/** ISO 8601 date or date-time, as Meltano's date_iso8601 setting kind produces. */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export function parseIsoDate(value: string): Date | undefined {
  if (!ISO_DATE.test(value.trim())) return undefined;
  const date = new Date(value.trim());
  return Number.isNaN(date.getTime()) ? undefined : date;
}
