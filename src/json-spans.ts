/**
 * Where each element of one top-level array sits in a JSON body, as byte offsets, so records can
 * be copied to the output as the server encoded them instead of being stringified and encoded
 * again (together about a fifth of the tap's CPU on large reads).
 *
 * `key` may be a path of keys into nested objects. Scans bytes: every structural character is
 * ASCII and UTF-8 continuation bytes never equal one. Strings are skipped with indexOf (native
 * memchr), and an element that is an object or array is skipped whole by `containerEnd`, a loop
 * that only counts brackets: on chat.syncMessages pages it went from 660 to about 860 MB/s
 * against walking records with the key-tracking loop, a quarter of what decoding and parsing the
 * same body costs (`node bench/spans.mjs`). Returns undefined when the body is not an object
 * holding `key` as an array; the caller then falls back to JSON.stringify.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;

/** Index of the quote closing the string whose opening quote is at `open`, or -1. */
function stringEnd(bytes: Buffer, open: number): number {
  let at = open;
  for (;;) {
    at = bytes.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    if (bytes[at - 1] !== BACKSLASH) return at;
    let slashes = 1;
    while (bytes[at - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

/** Per byte: 0 for what containerEnd passes over, else what it is (one table load per byte). */
const SKIP = 0;
const IS_QUOTE = 1;
const OPENS = 2;
const CLOSES = 3;
const BYTE_CLASS = new Uint8Array(256);
BYTE_CLASS[QUOTE] = IS_QUOTE;
BYTE_CLASS[OPEN_BRACE] = BYTE_CLASS[OPEN_BRACKET] = OPENS;
BYTE_CLASS[CLOSE_BRACE] = BYTE_CLASS[CLOSE_BRACKET] = CLOSES;

/** One past the bracket closing the object or array that opens at `open`, or -1. */
function containerEnd(bytes: Buffer, open: number): number {
  let depth = 0;
  for (let i = open; i < bytes.length; i++) {
    const kind = BYTE_CLASS[bytes[i]!];
    if (kind === SKIP) continue;
    if (kind === IS_QUOTE) {
      i = stringEnd(bytes, i);
      if (i < 0) return -1;
    } else if (kind === OPENS) depth++;
    else if (--depth === 0) return i + 1;
  }
  return -1;
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export function arraySpans(bytes: Buffer, key: string | readonly string[]): Array<[start: number, end: number]> | undefined {
  // A path such as ['result', 'updated'] walks into objects first (chat.syncMessages nests its records).
  const path = (typeof key === 'string' ? [key] : key).map((k) => Buffer.from(JSON.stringify(k)));
  const last = path.length - 1;
  /** How many objects of the path have been entered: keys are read at depth `entered + 1`. */
  let entered = 0;
  let depth = 0;
  let arrayDepth = -1;
  let lastKeyMatches = false;
  let expectKey = false;
  const spans: Array<[number, number]> = [];
  let elementStart = -1;
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i]!;
    if (byte === QUOTE) {
      const end = stringEnd(bytes, i);
      if (end < 0) return undefined;
      if (depth === entered + 1 && expectKey) {
        const wanted = path[entered]!;
        lastKeyMatches = arrayDepth < 0 && end + 1 - i === wanted.length && bytes.compare(wanted, 0, wanted.length, i, end + 1) === 0;
        expectKey = false;
      } else if (arrayDepth > 0 && depth === arrayDepth && elementStart < 0) {
        elementStart = i;
      }
      i = end;
      continue;
    }
    if (isSpace(byte)) continue;
    if (arrayDepth > 0 && depth === arrayDepth && elementStart < 0 && byte !== COMMA && byte !== CLOSE_BRACKET) {
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        const end = containerEnd(bytes, i);
        if (end < 0) return undefined;
        spans.push([i, end]);
        i = end - 1;
        continue;
      }
      elementStart = i;
    }
    switch (byte) {
      case OPEN_BRACE:
      case OPEN_BRACKET:
        depth++;
        if (depth === 1) {
          if (byte !== OPEN_BRACE) return undefined;
          expectKey = true;
        } else if (lastKeyMatches && depth === entered + 2) {
          lastKeyMatches = false;
          if (entered < last && byte === OPEN_BRACE) {
            entered++;
            expectKey = true;
          } else if (entered === last && byte === OPEN_BRACKET) {
            arrayDepth = depth;
            elementStart = -1;
          }
        }
        break;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        if (arrayDepth > 0 && depth === arrayDepth && byte === CLOSE_BRACKET) {
          // The array ends; a primitive last element ends here too.
          if (elementStart >= 0) spans.push([elementStart, trimEnd(bytes, elementStart, i)]);
          elementStart = -1;
          arrayDepth = 0;
        }
        if (arrayDepth < 0 && entered > 0 && depth === entered + 1) entered--;
        depth--;
        break;
      case COMMA:
        if (depth === entered + 1) expectKey = true;
        else if (arrayDepth > 0 && depth === arrayDepth && elementStart >= 0) {
          spans.push([elementStart, trimEnd(bytes, elementStart, i)]);
          elementStart = -1;
        }
        break;
    }
  }
  return depth === 0 && arrayDepth === 0 ? spans : undefined;
}

function trimEnd(bytes: Buffer, start: number, end: number): number {
  while (end > start && isSpace(bytes[end - 1]!)) end--;
  return end;
}
