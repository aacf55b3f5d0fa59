/** Assertions on the tap's log (stderr): its ERROR and WARNING lines, and how a failed run looks. */
import assert from 'node:assert/strict';

/** The ERROR lines of the tap's log, message part only. */
export function errorLines(stderr: string): string[] {
  return linesAt(stderr, 'ERROR');
}

/** The WARNING lines of the tap's log, message part only. */
export function warningLines(stderr: string): string[] {
  return linesAt(stderr, 'WARNING');
}

function linesAt(stderr: string, level: 'ERROR' | 'WARNING'): string[] {
  const line = new RegExp(` \\| ${level} +\\| `);
  const prefix = new RegExp(`^.*? \\| ${level} +\\| \\S+ *\\| `);
  return stderr
    .split('\n')
    .filter((l) => line.test(l))
    .map((l) => l.replace(prefix, ''));
}

/**
 * A failed run as users must see it: the exit code, exactly one ERROR line (returned), no stack
 * trace, no "unexpected error" (a bug's message), and every other stderr line a log line.
 */
export function assertCleanFailure(run: { code: number | null; stderr: string }, code: number): string {
  assert.equal(run.code, code, `exit code; stderr:\n${run.stderr.slice(-3000)}`);
  const errors = errorLines(run.stderr);
  assert.equal(errors.length, 1, `exactly one ERROR line; stderr:\n${run.stderr.slice(-3000)}`);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace without --debug');
  assert.doesNotMatch(run.stderr, /unexpected error/i);
  for (const line of run.stderr.split('\n').filter((l) => l !== '')) {
    assert.match(line, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3} \| (DEBUG|INFO|WARNING|ERROR) +\| /, `every stderr line is a log line: ${line.slice(0, 200)}`);
  }
  return errors[0]!;
}
