/**
 * Message text: ordinary chat lines, and the awkward ones a loader must survive byte for byte —
 * line/paragraph separators, combining marks, right-to-left and bidi controls, emoji ZWJ
 * sequences, astral characters, backslashes, every kind of quote, HTML, ANSI escapes, JSON and
 * SQL look-alikes, zero-width characters, and 20 KB messages. No NUL and no lone surrogates: BSON
 * strings are UTF-8, so a real server cannot hold the latter. Also the `md` (message-parser) tree.
 */
import type { Json } from '../mongo.js';
import { pick, type Rng } from '../prng.js';

export const PLAIN: readonly string[] = [
  'hello', 'LGTM 👍', 'ship it', 'see thread', '+1', 'Où est le rapport ?', 'ありがとう', 'deploy window is 14:00 UTC',
  'can someone review #482?', 'lunch?', 'standup in 5', 'rollback done ✅', 'Grüße aus Zürich', '¿Quién tiene las llaves?',
  'the build is red again', 'merci beaucoup', 'Спасибо!', 'θα το δω αύριο', 'ok', 'brb',
];

export const NASTY: readonly string[] = [
  'line one\u2028line two\u2029paragraph two',
  'e\u0301\u0301\u0301 Z\u0337\u0327\u031ba\u0338l\u0335g\u0336o\u0337 n\u0303o\u0308',
  'שלום עולם — مرحبا بالعالم — mixed \u202Eevil\u202C text \u2067isolate\u2069',
  '👩\u200D👩\u200D👧\u200D👦 🏳\uFE0F\u200D🌈 🧑🏽\u200D💻 👍🏿 🇨🇭',
  'C:\\Users\\alice\\new folder\\n is not a newline, \\u0041 is not A, \\\\server\\share',
  '"double" \'single\' “curly” ‘curly’ «guillemets» „low“ `backtick` \\"escaped\\"',
  '<script>alert("x")</script><b>bold</b> &amp; &lt;tag&gt; <img src=x onerror=alert(1)>',
  '\u001b[31mred\u001b[0m bell\u0007 tab\there\r\nCRLF\rCR',
  '{"_id":"fake","msg":"injected","_updatedAt":"1970-01-01T00:00:00.000Z"}',
  "Robert'); DROP TABLE messages;-- ",
  'zero\u200Bwidth\uFEFFbom\u00ADsoft\u2060joiner',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠜎𠜱𠝹 🂡 \uD83D\uDE00',
  '```js\nconst x = `${a}\\n`;\n```\n> quoted\n**bold** _it_ ~~strike~~ :smile:',
  '   leading and trailing spaces   ',
  ' ',
  '\n\n\nonly newlines around\n\n',
  'ﷺ ﷽ Ꙭ ꧅ ௵',
  'https://example.com/path?q=1&r=%20two#frag and http://[::1]:8080/x',
  '🎉'.repeat(64),
  'tab\tseparated\tvalues\t',
];

/** A message of about `bytes` UTF-8 bytes mixing ASCII and multi-byte characters. */
export function longText(rng: Rng, bytes: number): string {
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const s = `${pick(rng, PLAIN)} ${pick(rng, NASTY)} `;
    parts.push(s);
    size += Buffer.byteLength(s, 'utf8');
  }
  return parts.join('');
}

/** The message-parser tree of a plain text (paragraphs per line; mentions as MENTION_USER). */
export function markdown(text: string, mentions: readonly string[] = []): Json[] {
  return text.split('\n').map((line) => {
    const value: Json[] = [];
    let rest = line;
    for (const m of mentions) {
      const at = rest.indexOf(`@${m}`);
      if (at < 0) continue;
      if (at > 0) value.push({ type: 'PLAIN_TEXT', value: rest.slice(0, at) });
      value.push({ type: 'MENTION_USER', value: { type: 'PLAIN_TEXT', value: m } });
      rest = rest.slice(at + m.length + 1);
    }
    if (rest !== '' || value.length === 0) value.push({ type: 'PLAIN_TEXT', value: rest });
    return { type: 'PARAGRAPH', value };
  });
}
