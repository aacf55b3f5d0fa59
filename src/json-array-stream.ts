/**
 * Reads a JSON object such as `{"users":[{...},{...}],"count":2,"total":2,"success":true}`
 * from a byte stream and yields the elements of one top-level array as they arrive, so a
 * response of any size is parsed in constant memory. Everything else in the object (count,
 * total, success) is collected into a small "skeleton" parsed at the end.
 *
 * It scans bytes, not characters: every structural character is ASCII, and UTF-8 continuation
 * bytes never equal one, so multi-byte characters split across chunks are safe.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

export class JsonStreamError extends Error {}

export interface StreamedArray<T> {
  /** Batches of parsed elements, in order. */
  batches: AsyncGenerator<T[]>;
  /** After `batches` is done: the object's other keys (the array itself is left empty). */
  rest(): Record<string, unknown>;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/**
 * `key`: the top-level key whose array is streamed. `batchSize`: elements per yielded batch.
 * Throws JsonStreamError on a body that is not such an object (or ends early).
 */
export function streamJsonArray<T>(chunks: AsyncIterable<Buffer | Uint8Array>, key: string, batchSize = 500): StreamedArray<T> {
  const skeleton: Buffer[] = [];
  let restValue: Record<string, unknown> | undefined;

  async function* batches(): AsyncGenerator<T[]> {
    let depth = 0;
    let inString = false;
    let escaped = false;
    let started = false;
    // Key tracking at depth 1.
    let expectingKey = false;
    let keyBytes: number[] | undefined;
    let lastKey: string | undefined;
    let awaitingValue = false;
    // Records array state.
    let inArray = false;
    let arrayDone = false;
    let elementParts: Buffer[] = [];
    let elementStart = -1;
    let afterElement = false;
    let batch: T[] = [];

    const finishElement = (): void => {
      const text = Buffer.concat(elementParts).toString('utf8');
      elementParts = [];
      try {
        batch.push(JSON.parse(text) as T);
      } catch (err) {
        throw new JsonStreamError(`invalid JSON in "${key}": ${(err as Error).message}`);
      }
    };

    for await (const raw of chunks) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      let skeletonFrom = inArray ? -1 : 0;
      elementStart = inArray && elementParts.length > 0 ? 0 : -1;
      for (let i = 0; i < chunk.length; i++) {
        const byte = chunk[i]!;
        if (inString) {
          if (escaped) escaped = false;
          else if (byte === BACKSLASH) escaped = true;
          else if (byte === QUOTE) {
            inString = false;
            if (keyBytes) {
              lastKey = Buffer.from(keyBytes).toString('utf8');
              keyBytes = undefined;
            }
          } else if (keyBytes) keyBytes.push(byte);
          continue;
        }
        if (isSpace(byte)) continue;
        if (!started) {
          if (byte !== OPEN_BRACE) throw new JsonStreamError('the body is not a JSON object');
          started = true;
        }
        if (inArray && depth === 2 && elementStart < 0 && byte !== COMMA && byte !== CLOSE_BRACKET) {
          if (afterElement) throw new JsonStreamError(`invalid JSON in "${key}": elements without a comma between them`);
          elementStart = i;
        }
        switch (byte) {
          case QUOTE:
            inString = true;
            if (depth === 1 && expectingKey) {
              keyBytes = [];
              expectingKey = false;
            }
            break;
          case OPEN_BRACE:
          case OPEN_BRACKET:
            depth++;
            if (depth === 1) expectingKey = true;
            if (depth === 2 && awaitingValue && byte === OPEN_BRACKET && lastKey === key && !arrayDone) {
              inArray = true;
              // The skeleton keeps the '[' and resumes at the matching ']'.
              skeleton.push(chunk.subarray(skeletonFrom, i + 1));
              skeletonFrom = -1;
            }
            awaitingValue = false;
            break;
          case CLOSE_BRACE:
          case CLOSE_BRACKET:
            depth--;
            if (inArray && depth === 2 && elementStart >= 0) {
              elementParts.push(chunk.subarray(elementStart, i + 1));
              elementStart = -1;
              afterElement = true;
              finishElement();
              if (batch.length >= batchSize) {
                yield batch;
                batch = [];
              }
            } else if (inArray && depth === 1) {
              if (elementStart >= 0) {
                // A primitive element just before ']'.
                elementParts.push(chunk.subarray(elementStart, i));
                elementStart = -1;
                finishElement();
              }
              inArray = false;
              arrayDone = true;
              skeletonFrom = i;
            }
            break;
          case COLON:
            if (depth === 1) awaitingValue = true;
            break;
          case COMMA:
            if (depth === 1) {
              expectingKey = true;
              awaitingValue = false;
            } else if (inArray && depth === 2) {
              afterElement = false;
              if (elementStart < 0) break;
              elementParts.push(chunk.subarray(elementStart, i));
              elementStart = -1;
              finishElement();
              if (batch.length >= batchSize) {
                yield batch;
                batch = [];
              }
            }
            break;
          default:
            if (depth === 1 && awaitingValue) awaitingValue = false;
        }
      }
      if (inArray && elementStart >= 0) elementParts.push(Buffer.from(chunk.subarray(elementStart)));
      if (skeletonFrom >= 0) skeleton.push(Buffer.from(chunk.subarray(skeletonFrom)));
    }
    if (!started || depth !== 0 || inString) throw new JsonStreamError('the body ended before the JSON object did');
    if (batch.length > 0) yield batch;
    try {
      restValue = JSON.parse(Buffer.concat(skeleton).toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new JsonStreamError(`invalid JSON: ${(err as Error).message}`);
    }
    if (!arrayDone) throw new JsonStreamError(`the body has no "${key}" array`);
  }

  return {
    batches: batches(),
    rest(): Record<string, unknown> {
      if (!restValue) throw new Error('rest() read before the stream was consumed');
      return restValue;
    },
  };
}
