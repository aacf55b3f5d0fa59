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
    throw new InputError(`${kind} file ${path} is not valid JSON: ${errorMessage(err)}`);
  }
}
