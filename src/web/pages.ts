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

/**
 * What participants see when the demo set stands in for MediConfusion: what the questions are, nothing
 * about the server. The operator's details (why, where the files are, what to run) are for the host view
 * and the console.
 */
export const DEMO_LABEL = 'Demo questions: synthetic drawings, not patient images.';

/** The banner of a page: the operator's full note on the host view, the short label everywhere else. */
function bannerHtml(banner: string | null, page: PageName | null): string {
  if (banner === null) return '';
  if (page === 'host') {
    return `<header class="banner banner-host"><strong>Demo mode.</strong> ${escapeHtml(banner)}</header>`;
  }
  return `<header class="banner">${escapeHtml(DEMO_LABEL)}</header>`;
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
  const banner = bannerHtml(options.banner, options.page);
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
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/assets/styles.css">
</head>
<body>
${bannerHtml(banner, null)}
<main id="app" class="message">
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(message)}</p>
<p><a href="/">Back to the start page</a></p>
</main>
</body>
</html>
`;
}
