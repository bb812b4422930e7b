import type { PageName } from './assets.js';

/**
 * The HTML shells. Each page is rendered in the browser by its script; the shell carries the title, the
 * banner (so it shows even without JavaScript) and the page's data as inert JSON.
 */

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** JSON that is safe inside a <script> element (no `</script>`, no HTML comment openers). */
function inertJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export interface PageOptions {
  page: PageName;
  title: string;
  banner: string | null;
  data?: unknown;
  /** Text shown where the app renders until the script runs (or if it cannot). */
  fallback?: string;
}

export function renderPage(options: PageOptions): string {
  const banner =
    options.banner === null
      ? ''
      : `<div class="banner" role="note"><strong>Demo mode.</strong> ${escapeHtml(options.banner)}</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark">
<title>${escapeHtml(options.title)}</title>
<link rel="stylesheet" href="/assets/styles.css">
<script type="module" src="/assets/${options.page}.js"></script>
</head>
<body class="page-${options.page}">
${banner}
<main id="app" tabindex="-1">
<p class="loading">${escapeHtml(options.fallback ?? 'Loading…')}</p>
<noscript><p>This page needs JavaScript.</p></noscript>
</main>
<script type="application/json" id="page-data">${inertJson(options.data ?? {})}</script>
</body>
</html>
`;
}

/** A page without a script: not found, bad link. */
export function renderMessagePage(title: string, message: string, banner: string | null): string {
  const bannerHtml =
    banner === null
      ? ''
      : `<div class="banner" role="note"><strong>Demo mode.</strong> ${escapeHtml(banner)}</div>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/styles.css">
</head>
<body>
${bannerHtml}
<main id="app" class="message">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/">Back to the start page</a></p>
</main>
</body>
</html>
`;
}
