import MarkdownIt from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown → HTML on the server, then a strict allow-list. Raw HTML in the source is not HTML
 * (markdown-it with `html: false` escapes it); sanitize-html then removes anything outside the
 * list, whatever produced it. No images or any other resource from another host (they would
 * reveal readers' addresses), no style attributes, only http(s) and mailto links, each with
 * `rel="noopener noreferrer nofollow ugc"`.
 */
const markdown = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });
// Images become their alt text: nothing is ever loaded from a URL a member wrote.
markdown.disable(['image']);

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td'],
  allowedAttributes: { a: ['href', 'rel'], ol: ['start'], th: ['align'], td: ['align'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    // Headings inside a message stay below the page's own headings.
    h1: 'h3',
    h2: 'h4',
    // Absolute http(s) and mailto links only: a relative or scheme-less href is dropped.
    a: (tagName, attribs) => ({
      tagName,
      attribs: { ...(attribs.href && /^(https?:\/\/|mailto:)/i.test(attribs.href) ? { href: attribs.href } : {}), rel: 'noopener noreferrer nofollow ugc' },
    }),
  },
};

export const MAX_MESSAGE_LENGTH = 10_000;

export function renderMarkdown(source: string): string {
  return sanitizeHtml(markdown.render(source), OPTIONS).trim();
}

/**
 * The words of Markdown as a reader sees them, without markup: rendered, then every tag dropped and
 * entities decoded (search snippets are plain text, shown as text by the web app).
 */
export function plainText(source: string): string {
  const text = sanitizeHtml(markdown.render(source), { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}
