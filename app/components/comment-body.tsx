'use client';
// A comment's text as React elements built from the markdown subset's tree (lib/comment-markdown):
// text nodes are escaped by React, links are http(s) only, and no HTML string is ever injected.
import { Fragment, useMemo, type ReactNode } from 'react';
import { parseCommentMarkdown, type CommentNode } from '../../lib/comment-markdown';

function render(nodes: CommentNode[]): ReactNode[] {
  return nodes.map((node, i) => {
    switch (node.type) {
      case 'text':
        return <Fragment key={i}>{node.text}</Fragment>;
      case 'br':
        return <br key={i} />;
      case 'strong':
        return <strong key={i} className="font-semibold">{render(node.children)}</strong>;
      case 'em':
        return <em key={i}>{render(node.children)}</em>;
      case 'code':
        return <code key={i} className="rounded bg-zinc-100 px-1 font-mono text-[0.85em] dark:bg-zinc-800">{node.text}</code>;
      case 'link':
        return (
          <a key={i} href={node.href} target="_blank" rel="noopener noreferrer nofollow ugc" className="text-sky-700 underline decoration-sky-700/40 hover:decoration-sky-700 dark:text-sky-400 dark:decoration-sky-400/40">
            {render(node.children)}
          </a>
        );
    }
  });
}

export function CommentBody({ body, className = '' }: { body: string; className?: string }) {
  const nodes = useMemo(() => parseCommentMarkdown(body), [body]);
  return <div className={`break-words leading-6 ${className}`} data-testid="comment-body">{render(nodes)}</div>;
}
