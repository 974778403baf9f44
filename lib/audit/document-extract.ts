import 'server-only';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PermanentJobError } from '@/lib/queue';

/**
 * The reference's resume extraction, minus the AI: decode the document, hash it (for de-duplication),
 * and pull out what a structured resume needs — sections, contacts, links, the most used terms.
 */
export const DocumentPayload = z
  .object({
    fileName: z.string().trim().min(1).max(255),
    mimeType: z.enum(['text/plain', 'text/markdown']).default('text/plain'),
    text: z.string().max(48_000).optional(),
    contentBase64: z.string().max(64_000).optional(),
  })
  .refine(
    (p) => (p.text === undefined) !== (p.contentBase64 === undefined),
    'give exactly one of text or contentBase64',
  );
export type DocumentPayload = z.infer<typeof DocumentPayload>;

const STOPWORDS = new Set(
  'a an and are as at be by for from has have i in is it of on or our that the this to was were will with you your we my me'.split(
    ' ',
  ),
);
const SECTION_NAMES =
  /^(summary|profile|experience|work experience|education|skills|projects|certifications|languages|interests|contact)\s*:?$/i;

const EMAIL = /[\w.+-]+@[\w-]+(\.[\w-]+)+/g;
const LINK = /https?:\/\/[^\s)>\]]+/g;

export interface ExtractedContent {
  fileHash: string;
  bytes: number;
  lines: number;
  words: number;
  sections: { title: string; lines: number }[];
  emails: string[];
  links: string[];
  topTerms: { term: string; count: number }[];
}

function decode(p: DocumentPayload): string {
  if (p.text !== undefined) return p.text;
  const b64 = p.contentBase64!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0) {
    throw new PermanentJobError(`${p.fileName}: contentBase64 is not valid base64`);
  }
  const text = Buffer.from(b64, 'base64').toString('utf8');
  if (text.includes('\uFFFD')) throw new PermanentJobError(`${p.fileName}: the content is not UTF-8 text`);
  return text;
}

export function extractDocument(p: DocumentPayload): ExtractedContent {
  const text = decode(p);
  if (text.trim() === '') throw new PermanentJobError(`${p.fileName}: the document has no text`);
  const lines = text.split(/\r?\n/);
  const sections: ExtractedContent['sections'] = [];
  for (const line of lines) {
    const title = line.trim().replace(/^#+\s*/, '');
    if (SECTION_NAMES.test(title)) sections.push({ title: title.replace(/:$/, ''), lines: 0 });
    else if (sections.length > 0 && line.trim()) sections[sections.length - 1].lines++;
  }
  const emails = text.match(EMAIL) ?? [];
  const links = text.match(LINK) ?? [];
  // Terms are counted on the prose only: addresses and links would repeat a name as a "skill".
  const prose = text.replace(EMAIL, ' ').replace(LINK, ' ');
  const words = prose.toLowerCase().match(/[a-z][a-z+#.-]*[a-z+#]|[a-z]/g) ?? [];
  const counts = new Map<string, number>();
  for (const w of words) if (!STOPWORDS.has(w) && w.length > 2) counts.set(w, (counts.get(w) ?? 0) + 1);
  const unique = (xs: string[]) => [...new Set(xs)].slice(0, 20);
  return {
    fileHash: createHash('sha256').update(text, 'utf8').digest('hex'),
    bytes: Buffer.byteLength(text, 'utf8'),
    lines: lines.length,
    words: words.length,
    sections,
    emails: unique(emails),
    links: unique(links),
    topTerms: [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, 10)
      .map(([term, count]) => ({ term, count })),
  };
}
