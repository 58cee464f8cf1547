// The benchmark page: a deterministic ~20 KB article page shaped like a real one (head full of meta tags,
// a nav, a long article with inline links, a footer of links), so that parsers pay realistic costs:
// attributes, entities, inline scripts and styles, and the <title> early in the head.

/** Target size in bytes; the figures were measured on a page of this size. */
export const PAGE_BYTES = 20 * 1024;

// mulberry32: a tiny seeded PRNG, so every run (and every machine) serves byte-identical pages.
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et " +
  "dolore magna aliqua enim ad minim veniam quis nostrud exercitation ullamco laboris nisi aliquip ex ea " +
  "commodo consequat duis aute irure in reprehenderit voluptate velit esse cillum fugiat nulla pariatur " +
  "excepteur sint occaecat cupidatat non proident sunt culpa qui officia deserunt mollit anim id est laborum"
).split(" ");

/**
 * Builds the page. ~100 links in all: nav and footer links are root-relative, article links mix
 * relative, absolute, query-string (with `&amp;`) and fragment forms, so URL resolution is exercised.
 */
export function buildPage() {
  const random = seeded(20240611);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)];
  const words = (count) => Array.from({ length: count }, pick).join(" ");

  const nav = Array.from({ length: 20 }, (_, i) => `<li><a href="/section/${i}">${words(2)}</a></li>`).join("\n");
  const footer = Array.from({ length: 20 }, (_, i) => `<li><a href="/about/${i}" rel="nofollow">${words(2)}</a></li>`).join("\n");
  const articleLink = (i) => {
    switch (i % 4) {
      case 0:
        return `<a href="related/${i}.html">${words(3)}</a>`;
      case 1:
        return `<a href="https://example.org/ext/${i}?ref=trawl&amp;n=${i}">${words(2)}</a>`;
      case 2:
        return `<a href="/tag/${pick()}-${i}" class="tag">${words(1)}</a>`;
      default:
        return `<a href="#note-${i}">${words(1)}</a>`;
    }
  };
  // 60 article links spread over the paragraphs: 20 + 60 + 20 = 100 links.
  const paragraphs = [];
  for (let i = 0; i < 60; i++) {
    paragraphs.push(`<p>${words(14)} ${articleLink(i)} ${words(14)}.</p>`);
  }

  const head = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>
  Trawl bench: widgets &amp; gadgets — a   long article
</title>
<meta name="description" content="${words(24)}">
<meta name="keywords" content="${words(10).replaceAll(" ", ", ")}">
<meta property="og:title" content="Trawl bench: widgets &amp; gadgets">
<meta property="og:type" content="article">
<meta property="og:image" content="/static/cover.jpg">
<meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="/articles/widgets-and-gadgets">
<link rel="stylesheet" href="/static/site.css">
<link rel="icon" href="/favicon.ico">
<style>body{font:16px/1.5 sans-serif;margin:0 auto;max-width:46em}nav ul{display:flex;gap:1em}</style>
<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}if(1<2&&"</"){gtag("js",new Date())}</script>
</head>`;
  const open = `<body>
<header><nav><ul>
${nav}
</ul></nav></header>
<main><article>
<h1>  Widgets &amp; <em>gadgets</em>, reviewed  </h1>
<p class="byline">By ${words(2)} · <time datetime="2024-06-11">11 June 2024</time></p>
`;
  const close = `
</article></main>
<footer><ul>
${footer}
</ul><p>&copy; 2024 trawl bench</p></footer>
<script src="/static/app.js" defer></script>
</body>
</html>
`;
  // Filler paragraphs (no links) bring the page up to PAGE_BYTES, so the size stays put if the
  // generator above is tweaked.
  let filler = "";
  const fixed = Buffer.byteLength(head + open + paragraphs.join("\n") + close);
  while (fixed + Buffer.byteLength(filler) < PAGE_BYTES - 120) filler += `\n<p>${words(16)}.</p>`;
  return head + open + paragraphs.join("\n") + filler + close;
}

// C1's crawl site: SITE_PAGES small pages generated on the fly (no files), page n at /site/<pages>/<n>.
// The page count is part of the path, so one stateless server serves the full site and --quick's smaller
// one, and every page knows which of its children exist.

/** The full C1 site; --quick crawls a site of a tenth of this. */
export const SITE_PAGES = 200_000;

// A pool of filler paragraphs built once per process; each page picks a few of them by its number, so a
// page costs the server a few string joins, not a PRNG run.
const SITE_PARAGRAPHS = (() => {
  const random = seeded(20250101);
  const pick = () => WORDS[Math.floor(random() * WORDS.length)];
  return Array.from({ length: 64 }, () => `<p>${Array.from({ length: 36 }, pick).join(" ")}.</p>`);
})();

/** The path of page `n` of a site of `pages` pages; without `n`, the prefix of every page's path. */
export const sitePath = (pages, n = "") => `/site/${pages}/${n}`;

/**
 * Page `n` (0 ≤ n < pages) of the tree site: a title "Page n", 7 to 9 filler paragraphs (2.1 to 3.4 KB in
 * all), links to its children 10n+1 … 10n+10 (those < pages), and links that lead nowhere new, so the
 * crawler's dedupe matters: page 0 twice (absolute path), the parent floor((n-1)/10) twice (once relative,
 * once absolute), and the page itself with a #fragment. Depth of page n in the tree: ⌊log10(9n+1)⌋, at most
 * 6 for 200,000 pages.
 */
export function buildSitePage(pages, n) {
  const self = sitePath(pages, n);
  const home = sitePath(pages, 0);
  const up = n > 0 ? `<a href="${Math.floor((n - 1) / 10)}" rel="up">Up</a>` : "";
  const upAgain = n > 0 ? `<li><a href="${sitePath(pages, Math.floor((n - 1) / 10))}">Parent page</a></li>` : "";
  const children = [];
  for (let child = 10 * n + 1; child <= 10 * n + 10 && child < pages; child++) {
    children.push(`<li><a href="${sitePath(pages, child)}">Page ${child}</a></li>`);
  }
  // Knuth's multiplicative hash spreads consecutive pages over the pool.
  const spread = Math.imul(n, 2654435761) >>> 0;
  const count = 7 + (spread % 3);
  const text = Array.from({ length: count }, (_, i) => SITE_PARAGRAPHS[(spread + i * 7) % SITE_PARAGRAPHS.length]).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Page ${n}</title>
<link rel="canonical" href="${self}">
</head>
<body>
<nav><a href="${home}">Home</a> ${up} <a href="${self}#comments">Comments</a></nav>
<main>
<h1>Page ${n}</h1>
${text}
<ul class="children">
${children.join("\n")}
</ul>
</main>
<footer><ul>
<li><a href="${home}">Back to the start</a></li>
${upAgain}
</ul></footer>
</body>
</html>
`;
}
