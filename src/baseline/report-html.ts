import type { AgreementEstimate, BaselineReport, Estimate, GroupReport } from './report.js';
import type { ReportChart } from './report-chart.js';

/**
 * The report as one self-contained HTML page (charts inline as PNG data URLs, no external resource), for
 * reading and for a paper's supplement: the methods paragraph, then every table of the export.
 */

export const REPORT_HTML_FILE = 'report.html';

const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

const pct = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : v.toFixed(1));

function ci(e: { low: number | null; high: number | null; interval: string } | null, digits = 1): string {
  if (e === null) return '–';
  if (e.low === null || e.high === null) return 'too few';
  return `${e.low.toFixed(digits)}–${e.high.toFixed(digits)}`;
}

function estimateCells(e: Estimate | null): string {
  return `<td>${pct(e?.value)}</td><td>${ci(e)}</td>`;
}

function coefficient(e: AgreementEstimate | null): string {
  return e === null ? '<td>–</td><td>–</td>' : `<td>${e.value.toFixed(3)}</td><td>${ci(e, 3)}</td>`;
}

const formatP = (p: number | null): string =>
  p === null ? '–' : p < 0.001 ? p.toExponential(2) : p.toFixed(3);

function table(head: readonly string[], rows: readonly string[]): string {
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** The methods paragraph, with this report's settings filled in. */
export function methodsParagraph(report: BaselineReport): string {
  const o = report.options;
  return (
    'Accuracy follows the MediConfusion definitions: a pair counts for set accuracy when both of its images ' +
    'are answered right; per-category rates weight a pair by the number of its images listing the category, as ' +
    'the official scoring does. Answers are crossed by participant and by pair, so 95% intervals are percentile ' +
    `intervals of a two-way ("pigeonhole") bootstrap (Owen, 2007) that resamples participants and pairs ` +
    `independently (${o.bootstrap.resamples} resamples, seed ${o.bootstrap.seed}); the majority vote and the ` +
    'models, which give one answer per pair, are resampled over the same pair draws. With fewer than ' +
    `${o.intervalMinimum.pairs} distinct pairs, or fewer than ${o.intervalMinimum.participants} people for a ` +
    'rate about people, no interval is given ("too few"). The crowd answer is the majority among valid answers ' +
    'per image; pairs with a tied image are counted apart and not scored. Agreement between raters is Fleiss’ ' +
    'kappa (each image’s agreement taken over its own rater pairs when images have different numbers of ' +
    'raters) and Krippendorff’s alpha for nominal data, with intervals from a bootstrap over pairs. The crowd ' +
    'and each model are compared on the pairs both answered with the exact McNemar test; training levels on ' +
    'the pairs both answered with the exact sign test over pairs, so that pair difficulty cannot confound the ' +
    `comparison. P-values are adjusted with Holm’s method over the ${o.multipleComparisons.tests} test` +
    `${o.multipleComparisons.tests === 1 ? '' : 's'} shown.`
  );
}

function groupSection(g: GroupReport): string {
  const accuracy = table(
    [
      'Category',
      'Answered pairs',
      'Pairs',
      'People',
      'Set acc. %',
      '95% CI',
      'Individual %',
      '95% CI',
      'Confusion %',
      '95% CI',
    ],
    g.rows.map(
      (r) =>
        `<tr><td>${escapeHtml(r.category)}</td><td>${r.n}</td><td>${r.pairs}</td><td>${r.participants}</td>` +
        `${estimateCells(r.setAccuracy)}${estimateCells(r.individualAccuracy)}${estimateCells(r.confusion)}</tr>`,
    ),
  );
  const spread = table(
    ['Per person', 'People', 'Mean', 'SD', 'Median', 'Q1–Q3', 'Range'],
    (['setAccuracy', 'individualAccuracy'] as const).map((metric) => {
      const s = g.spread[metric];
      const name = metric === 'setAccuracy' ? 'Set accuracy %' : 'Individual accuracy %';
      return s === null
        ? `<tr><td>${name}</td><td>0</td><td colspan="5">–</td></tr>`
        : `<tr><td>${name}</td><td>${s.n}</td><td>${pct(s.mean)}</td><td>${pct(s.sd)}</td><td>${pct(s.median)}</td>` +
            `<td>${pct(s.q1)}–${pct(s.q3)}</td><td>${pct(s.min)}–${pct(s.max)}</td></tr>`;
    }),
  );
  const agreement = table(
    [
      'Category',
      'Images rated by 2+',
      'Mean raters',
      'Observed agreement %',
      'Fleiss’ κ',
      '95% CI',
      'Krippendorff’s α',
      '95% CI',
    ],
    g.agreement.map(
      (a) =>
        `<tr><td>${escapeHtml(a.category)}</td><td>${a.units}</td><td>${a.meanRaters.toFixed(1)}</td>` +
        `<td>${pct(a.observedAgreement)}</td>${coefficient(a.fleissKappa)}${coefficient(a.krippendorffAlpha)}</tr>`,
    ),
  );
  const c = g.crowd;
  const crowd =
    `<p>Majority vote over ${c.pairs} pairs: ${c.decidedPairs} decided, ${c.tiedPairs} with a tied image ` +
    `(${c.tiedImages} tied images, not scored). Set accuracy ${pct(c.setAccuracy?.value)}% (95% CI ` +
    `${ci(c.setAccuracy)}), individual accuracy ${pct(c.individualAccuracy?.value)}% (${ci(c.individualAccuracy)}).</p>` +
    table(
      ['Raters per pair', 'Pairs', 'Decided', 'Tied', 'Set acc. % (decided)'],
      c.byRaters.map(
        (r) =>
          `<tr><td>${r.raters}</td><td>${r.pairs}</td><td>${r.decidedPairs}</td><td>${r.tiedPairs}</td><td>${pct(r.setAccuracy)}</td></tr>`,
      ),
    );
  const versus =
    g.versusModels.length === 0
      ? ''
      : table(
          [
            'Model',
            'Model set acc. % (group’s pairs)',
            '95% CI',
            'Paired pairs',
            'Crowd %',
            'Model %',
            'b',
            'c',
            'p',
            'p (Holm)',
            '',
          ],
          g.versusModels.map((m) => {
            const all = g.models.find((x) => x.modelId === m.modelId)?.rows.find((r) => r.category === 'All');
            return (
              `<tr><td>${escapeHtml(m.modelId)}</td>${estimateCells(all?.setAccuracy ?? null)}<td>${m.pairs}</td>` +
              `<td>${pct(m.crowdSetAccuracy)}</td><td>${pct(m.modelSetAccuracy)}</td><td>${m.b}</td><td>${m.c}</td>` +
              `<td>${formatP(m.p)}</td><td>${formatP(m.pHolm)}</td><td>${escapeHtml(m.message)}</td></tr>`
            );
          }),
        );
  return (
    `<section><h2>${escapeHtml(g.label)} · ${g.participants} ${g.participants === 1 ? 'person' : 'people'}, ${g.instances} answered pairs</h2>` +
    `<h3>Accuracy</h3>${accuracy}<h3>Spread over people</h3>${spread}<h3>Agreement between raters</h3>${agreement}` +
    `<h3>Majority vote</h3>${crowd}${versus === '' ? '' : `<h3>People against models</h3>${versus}`}</section>`
  );
}

export function renderReportHtml(report: BaselineReport, charts: readonly ReportChart[]): string {
  const levels =
    report.levelComparisons.length === 0
      ? ''
      : `<section><h2>Training levels on shared pairs</h2>${table(
          [
            'First',
            'Second',
            'Shared pairs',
            'First %',
            'Second %',
            'Difference (points)',
            '95% CI',
            'First better',
            'Second better',
            'Even',
            'p',
            'p (Holm)',
          ],
          report.levelComparisons.map(
            (l) =>
              `<tr><td>${escapeHtml(l.labels[0])}</td><td>${escapeHtml(l.labels[1])}</td><td>${l.commonPairs}</td>` +
              `<td>${pct(l.setAccuracy[0])}</td><td>${pct(l.setAccuracy[1])}</td><td>${pct(l.difference?.value)}</td>` +
              `<td>${ci(l.difference)}</td><td>${l.b}</td><td>${l.c}</td><td>${l.even}</td><td>${formatP(l.p)}</td><td>${formatP(l.pHolm)}</td></tr>`,
          ),
        )}</section>`;
  const figures = charts
    .map(
      (c) =>
        `<figure><img src="data:image/png;base64,${c.png.toString('base64')}" alt="${escapeHtml(c.alt)}"><figcaption>${escapeHtml(c.name)}</figcaption></figure>`,
    )
    .join('');
  const n = report.counts;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Human baseline · ${escapeHtml(report.set)}</title>
<style>
body{font-family:system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1e1f22;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-size:.9rem}th,td{border:1px solid #c4c9ce;padding:.25rem .5rem;text-align:right}
th{background:#eef0f2}td:first-child,th:first-child{text-align:left}figure{margin:1rem 0}.scroll{overflow-x:auto}img{max-width:100%;height:auto}
</style></head><body>
<h1>Human baseline · ${escapeHtml(report.set)} set</h1>
<p>Generated ${escapeHtml(report.generatedAt)} from ${n.participants} ${n.participants === 1 ? 'person' : 'people'} and ${n.instances} answered pairs (contexts: ${escapeHtml(report.options.contexts.join(', '))}${report.options.excludeSeenBefore ? `; ${n.excludedSeenBefore} left out as seen before` : ''}).</p>
<h2>Methods</h2>
<p id="methods">${escapeHtml(methodsParagraph(report))}</p>
${figures}
${report.groups.map(groupSection).join('\n')}
${levels}
</body></html>
`;
}
