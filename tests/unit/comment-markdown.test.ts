// The comment markdown subset: what it formats, and that HTML, script and unsafe links stay text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCommentMarkdown, safeHref, type CommentNode } from '../../lib/comment-markdown';

const text = (t: string): CommentNode => ({ type: 'text', text: t });

test('bold, italic, inline code and line breaks', () => {
  assert.deepEqual(parseCommentMarkdown('a **b** *c* _d_ `e*f*`\ng'), [
    text('a '), { type: 'strong', children: [text('b')] }, text(' '), { type: 'em', children: [text('c')] }, text(' '),
    { type: 'em', children: [text('d')] }, text(' '), { type: 'code', text: 'e*f*' }, { type: 'br' }, text('g'),
  ]);
  assert.deepEqual(parseCommentMarkdown('**bold with _italic_**'), [{ type: 'strong', children: [text('bold with '), { type: 'em', children: [text('italic')] }] }]);
});

test('stray markers, snake_case, spaced stars and escapes stay text', () => {
  assert.deepEqual(parseCommentMarkdown('2 * 3 * 4, snake_case_name, **open'), [text('2 * 3 * 4, snake_case_name, **open')]);
  assert.deepEqual(parseCommentMarkdown('\\*not italic\\*'), [text('*not italic*')]);
  assert.deepEqual(parseCommentMarkdown('**across\nlines**'), [text('**across'), { type: 'br' }, text('lines**')]);
});

test('links: http(s) only, bare addresses without their trailing punctuation', () => {
  assert.deepEqual(parseCommentMarkdown('[paper](https://arxiv.org/abs/1) and http://x.org/a.'), [
    { type: 'link', href: 'https://arxiv.org/abs/1', children: [text('paper')] }, text(' and '),
    { type: 'link', href: 'http://x.org/a', children: [text('http://x.org/a')] }, text('.'),
  ]);
  for (const bad of ['[x](javascript:alert(1))', '[x](data:text/html,hi)', '[x](/relative)', '[x](JaVaScRiPt:alert(1))']) {
    assert.ok(parseCommentMarkdown(bad).every((n) => n.type === 'text'), bad);
  }
  assert.equal(safeHref('javascript:alert(1)'), null);
  assert.equal(safeHref('https://lab.example.org/runs/r-1'), 'https://lab.example.org/runs/r-1');
});

test('HTML is never markup: a script element is plain text', () => {
  assert.deepEqual(parseCommentMarkdown('<script>alert(1)</script>'), [text('<script>alert(1)</script>')]);
  assert.deepEqual(parseCommentMarkdown('<img src=x onerror=alert(1)>'), [text('<img src=x onerror=alert(1)>')]);
});

test('a long body of markers parses quickly', () => {
  const started = performance.now();
  parseCommentMarkdown('*_`['.repeat(1000));
  parseCommentMarkdown('**a '.repeat(1000));
  assert.ok(performance.now() - started < 500);
});
