/**
 * Rows of the fault matrix (fault, runs, records expected, records emitted, duplicates, outcome)
 * collected by the e2e fault tests. With FAULT_MATRIX_FILE set, each row is appended to that file
 * as one JSON line, so a report can be built from the actual test results.
 */
import { appendFileSync } from 'node:fs';

export interface MatrixRow {
  group: string;
  fault: string;
  runs: number;
  expected: number;
  emitted: number;
  duplicates: number;
  outcome: string;
  extra?: Record<string, unknown>;
}

export function recordRow(row: MatrixRow): void {
  const file = process.env.FAULT_MATRIX_FILE;
  if (file) appendFileSync(file, JSON.stringify(row) + '\n');
}
