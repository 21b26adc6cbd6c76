// The markdown subset comments may use, parsed into a small tree that the browser turns into React
// elements (never into an HTML string): **bold**, *italic* or _italic_, `inline code`,
// [links](https://…) and bare http(s) addresses, and line breaks. Everything else, HTML included,
// stays literal text. Markers do not cross a line, so a stray `*` costs at most one line's scan.

export type CommentNode =
  | { type: 'text'; text: string }
  | { type: 'strong'; children: CommentNode[] }
  | { type: 'em'; children: CommentNode[] }
  | { type: 'code'; text: string }
  | { type: 'link'; href: string; children: CommentNode[] }
  | { type: 'br' };

/** Bold inside italic inside a link is fine; deeper nesting is read as text. */
const MAX_DEPTH = 4;
const ESCAPABLE = '\\`*_[]()';
const LINK = /\[([^\]\n]{1,300})\]\(([^()\s]{1,2000})\)/y;
const BARE_URL = /https?:\/\/[^\s<>()[\]"'`]{1,2000}/y;
const WORD = /[\p{L}\p{N}]/u;

/** The address if it is an absolute http(s) URL, else null (javascript:, data:, relative…). */
export function safeHref(raw: string): string | null {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function parseCommentMarkdown(source: string): CommentNode[] {
  return parseInline(source.replace(/\r\n?/g, '\n'), 0, false);
}

/** Where the emphasis opened by `marker` at `start` closes on the same line, or -1. */
function emphasisEnd(src: string, start: number, marker: '*' | '_'): number {
  const next = src[start + 1];
  if (next === undefined || /\s/.test(next) || next === marker) return -1;
  if (marker === '_' && start > 0 && WORD.test(src[start - 1])) return -1; // snake_case stays text
  for (let j = start + 2; j < src.length && src[j] !== '\n'; j++) {
    if (src[j] !== marker || /\s/.test(src[j - 1])) continue;
    if (marker === '*' && src[j + 1] === '*') continue;
    if (marker === '_' && j + 1 < src.length && WORD.test(src[j + 1])) continue;
    return j;
  }
  return -1;
}

/** The closing `token` on the same line after `from`, or -1. */
function closeOnLine(src: string, from: number, token: string): number {
  const end = src.indexOf(token, from);
  const newline = src.indexOf('\n', from);
  return end >= 0 && (newline < 0 || end < newline) ? end : -1;
}

function parseInline(src: string, depth: number, inLink: boolean): CommentNode[] {
  const out: CommentNode[] = [];
  let text = '';
  const flush = () => {
    if (text) out.push({ type: 'text', text });
    text = '';
  };
  const push = (node: CommentNode) => (flush(), out.push(node));
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '\\' && ESCAPABLE.includes(src[i + 1] ?? '')) {
      text += src[i + 1];
      i += 2;
      continue;
    }
    if (c === '\n') {
      push({ type: 'br' });
      i++;
      continue;
    }
    if (c === '`') {
      const end = closeOnLine(src, i + 1, '`');
      if (end > i + 1) {
        push({ type: 'code', text: src.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (depth < MAX_DEPTH) {
      if (src.startsWith('**', i)) {
        const end = closeOnLine(src, i + 2, '**');
        if (end > i + 2) {
          push({ type: 'strong', children: parseInline(src.slice(i + 2, end), depth + 1, inLink) });
          i = end + 2;
          continue;
        }
      } else if (c === '*' || c === '_') {
        const end = emphasisEnd(src, i, c);
        if (end > 0) {
          push({ type: 'em', children: parseInline(src.slice(i + 1, end), depth + 1, inLink) });
          i = end + 1;
          continue;
        }
      }
      if (c === '[' && !inLink) {
        LINK.lastIndex = i;
        const m = LINK.exec(src);
        const href = m ? safeHref(m[2]) : null;
        if (m && href) {
          push({ type: 'link', href, children: parseInline(m[1], depth + 1, true) });
          i += m[0].length;
          continue;
        }
      }
    }
    if (c === 'h' && !inLink && (i === 0 || !WORD.test(src[i - 1]))) {
      BARE_URL.lastIndex = i;
      const m = BARE_URL.exec(src);
      // A sentence's closing punctuation is not part of the address.
      const raw = m?.[0].replace(/[.,;:!?]+$/, '');
      const href = raw ? safeHref(raw) : null;
      if (raw && href) {
        push({ type: 'link', href, children: [{ type: 'text', text: raw }] });
        i += raw.length;
        continue;
      }
    }
    text += c;
    i++;
  }
  flush();
  return out;
}
