/**
 * Text a real workspace holds and a kind generator never writes: line and paragraph separators
 * (U+2028, U+2029, which JSON.stringify leaves raw), combining marks (decomposed accents, stacked
 * diacritics), backslashes and quotes (which JSON escapes), HTML that was typed as text, a
 * 270-character display name and a 20 KB description. Rocket.Chat stores display names, topics,
 * announcements and descriptions as typed (no length limit on a room description or a user's
 * name; usernames and room slugs are validated, so they stay plain here).
 */

export const LINE_SEPARATOR = '\u2028';
export const PARAGRAPH_SEPARATOR = '\u2029';

/** Display names: each one carries one kind of awkward text. */
export const NASTY_NAMES = {
  separators: `Line${LINE_SEPARATOR}Break${PARAGRAPH_SEPARATOR}Para`,
  combining: 'Zoe\u0308 Ame\u0301lie Z\u0335\u0321a\u0336\u0322l\u0337\u0327g\u0338o\u0489',
  backslashes: 'C:\\Users\\new\\table "quoted" \\u0041 \\\\share',
  html: '<b>Bob</b> &amp; <script>alert("x")</script> <img src=x onerror=alert(1)>',
  long: long270(),
} as const;

export type NastyKind = keyof typeof NASTY_NAMES;
export const NASTY_KINDS = Object.keys(NASTY_NAMES) as NastyKind[];

/** Exactly 270 UTF-16 code units (and code points): a name longer than any column guess. */
function long270(): string {
  const base = 'Maria-Anna Wolfeschlegelsteinhausenbergerdorff von Habsburg-Lothringen und Sachsen-Coburg ';
  return base.repeat(4).slice(0, 270);
}

const NAME_PIECES: readonly string[] = [
  NASTY_NAMES.backslashes, 'Ünïcödé Ñoño Çağla', NASTY_NAMES.combining, '李小龙 و فاطمة 😀👩‍👩‍👧', '"quoted" \\ tab\there', NASTY_NAMES.separators,
];

/** `name` grown to `chars` code points of awkward text, varied by `i`, cut on a code point. */
export function longName(name: string, chars: number, i: number): string {
  let out = `${name} —`;
  // UTF-16 length bounds the code points from above: grow until it is surely enough.
  for (let k = i; out.length < 2 * chars; k++) out += ` ${NAME_PIECES[k % NAME_PIECES.length]}`;
  let end = 0;
  for (let n = 0; n < chars; n++) end += out.codePointAt(end)! > 0xffff ? 2 : 1;
  return out.slice(0, end);
}

/** A room description of 20,480 characters: several paragraphs, newlines, separators, accents. */
export function description20k(): string {
  const para = 'Ce canal sert à coordonner les équipes — read the pinned messages.\n'
    + `Zeile${LINE_SEPARATOR}mit Trenner, <i>kursiv</i>, C:\\temp\\x, naïve café.\n`;
  return para.repeat(Math.ceil(20_480 / para.length)).slice(0, 20_480);
}

/** Topics and announcements with the same kinds of text. */
export const NASTY_TOPICS: readonly string[] = [
  `Status:${LINE_SEPARATOR}green${PARAGRAPH_SEPARATOR}deploys at 5`,
  'Read <a href="https://example.com">the rules</a> &nbsp;first',
  'Path: \\\\fileserver\\share\\2025 "final"',
  'Cafe\u0301 na\u0131\u0308ve — Ω\u0301',
];
