import { readFile } from 'node:fs/promises';
import { InputError, errorMessage } from './errors.js';

/**
 * Reads a JSON input file (config, catalog or state) with errors that name the file and what is
 * wrong with it. `whenEmpty` is returned for a blank file (Meltano writes one when there is no
 * state yet); without it a blank file is invalid JSON.
 */
export async function readJsonFile(path: string, kind: 'config' | 'catalog' | 'state', whenEmpty?: unknown): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${kind} file not found: ${path}`);
    if (code === 'EACCES') throw new InputError(`${kind} file ${path} is not readable (permission denied)`);
    if (code === 'EISDIR') throw new InputError(`${kind} file ${path} is a directory`);
    throw new InputError(`cannot read ${kind} file ${path}: ${errorMessage(err)}`);
  }
  if (whenEmpty !== undefined && text.trim() === '') return whenEmpty;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(`${kind} file ${path} is not valid JSON: ${describeSyntaxError(errorMessage(err), text)}`);
  }
}

/**
 * V8's JSON.parse messages quote the text around the error ("Unexpected token 'K', "{"token":
 * Kq3vT9"... is not valid JSON"): in a config file that text can be the token. Keep the kind of
 * error and say where it is instead.
 */
function describeSyntaxError(message: string, text: string): string {
  const kind = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/, .*$/s, '')
    // Quoted punctuation (',' or ']') helps; a quoted letter or digit may be the token's first.
    .replace(/\s*'[^'\s]*[\p{L}\p{N}][^'\s]*'/gu, '')
    .trim();
  const position = /at position (\d+)/.exec(message)?.[1];
  if (position === undefined) return kind;
  const before = text.slice(0, Number(position));
  const line = before.split('\n').length;
  const column = Number(position) - before.lastIndexOf('\n');
  return `${kind} at line ${line}, column ${column}`;
}
