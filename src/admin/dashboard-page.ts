import { PERIODS, type Stats } from '../analytics/stats.ts';
import { count, esc, page, share } from './html.ts';

/** A table of figures: the text every chart has beside it. */
function table(caption: string, head: readonly string[], rows: readonly (string | number)[][]): string {
  const body =
    rows.length === 0
      ? `<tr><td colspan="${head.length}">None in this period</td></tr>`
      : rows
          .map(
            (row) =>
              `<tr>${row.map((cell, index) => (index === 0 ? `<th scope="row">${esc(cell)}</th>` : `<td>${esc(typeof cell === 'number' ? count(cell) : cell)}</td>`)).join('')}</tr>`,
          )
          .join('\n');
  return `<table><caption>${esc(caption)}</caption>
<thead><tr>${head.map((cell) => `<th scope="col">${esc(cell)}</th>`).join('')}</tr></thead>
<tbody>${body}</tbody></table>`;
}

/** A section: its heading, a chart (a canvas dashboard.js draws, `chart` names it) and its figures. */
function section(id: string, title: string, figures: string, chart?: string): string {
  const canvas = chart
    ? `<div class="chart"><canvas id="chart-${esc(chart)}" role="img" aria-label="${esc(title)}: chart of the figures beside it"></canvas></div>`
    : '';
  return `<section class="card${chart ? '' : ' wide'}" aria-labelledby="${id}">
<h2 id="${id}">${esc(title)}</h2>
<div class="pair">${canvas}<div class="figures">${figures}</div></div>
</section>`;
}

function periodForm(days: number): string {
  const options = PERIODS.map(
    (period) => `<option value="${period}"${period === days ? ' selected' : ''}>Last ${period} days</option>`,
  ).join('');
  return `<form class="period" method="get" action="/admin">
<label for="days">Period</label>
<select id="days" name="days">${options}</select>
<button type="submit">Show</button>
</form>`;
}

function dl(items: readonly [string, string, string][]): string {
  return `<dl>${items.map(([id, term, value]) => `<div><dt>${esc(term)}</dt><dd id="${id}">${esc(value)}</dd></div>`).join('')}</dl>`;
}

function sections(stats: Stats): string {
  const { totals, ratings } = stats;
  return [
    section(
      'h-conversations',
      'Conversations per day',
      `<div class="scroll" tabindex="0" role="region" aria-label="Conversations per day, figures">${table(
        'Conversations per day (UTC)',
        ['Day', 'Started', 'Reached a person', 'Turns'],
        stats.perDay.map((day) => [day.day, day.started, day.reachedPerson, day.turns]),
      )}</div>`,
      'conversations',
    ),
    section(
      'h-containment',
      'Containment',
      `${dl([
        ['started', 'Conversations started', count(totals.started)],
        ['reached-person', 'Reached a person', count(totals.reachedPerson)],
        ['contained', 'Ended without a person', count(totals.contained)],
        ['containment', 'Containment', share(totals.containment)],
        ['misses', 'Messages not understood', count(totals.misses)],
      ])}<p class="note">Started minus those that reached a person (hand-off or ticket), per day: an approximation.</p>`,
      'containment',
    ),
    section(
      'h-ratings',
      'Did this solve it?',
      dl([
        ['ratings-yes', 'Yes', count(ratings.yes)],
        ['ratings-no', 'No', count(ratings.no)],
        ['ratings-share', 'Solved', share(ratings.solvedShare)],
      ]),
      'ratings',
    ),
    section(
      'h-escalations',
      'Escalations by reason',
      table(
        'Escalations by reason',
        ['Reason', 'Kind', 'Count'],
        stats.escalations.map((each) => [each.reason, each.kind, each.count]),
      ),
      'escalations',
    ),
    section(
      'h-intents',
      'Intent mix',
      table(
        'Messages by intent',
        ['Intent', 'Messages'],
        stats.intents.map((each) => [each.intent, each.count]),
      ),
      'intents',
    ),
    section(
      'h-checks',
      'Slowest checks',
      table(
        'Account checks, slowest first',
        ['Check', 'Runs', 'Mean ms', 'Max ms'],
        stats.checks.map((each) => [each.name, each.count, each.meanMs, each.maxMs]),
      ),
    ),
  ].join('\n');
}

const REVIEW = `<section class="card wide" aria-labelledby="h-review">
<h2 id="h-review">Review inbox</h2>
<p id="review-status" role="status">Loading the review inbox…</p>
<noscript><p>The review inbox needs JavaScript.</p></noscript>
<ol id="review-items" class="review"></ol>
</section>`;

/** The dashboard of a period: every figure in the HTML, the charts drawn from the same figures. */
export function dashboardPage(stats: Stats): string {
  // The figures for the charts, as data: `<` escaped so the text can never close the element.
  const data = JSON.stringify(stats).replaceAll('<', '\\u003c');
  return page(
    'Bot dashboard',
    `<header class="top"><h1>Bot dashboard</h1>
<form method="post" action="/admin/sign-out"><button type="submit" class="quiet">Sign out</button></form></header>
<main>
${periodForm(stats.days)}
<p class="range">${esc(stats.from)} to ${esc(stats.to)} (UTC days)</p>
<div class="grid">
${sections(stats)}
${REVIEW}
</div>
</main>
<script type="application/json" id="stats-data">${data}</script>`,
    ['/admin/assets/chart.js', '/admin/assets/dashboard.js'],
  );
}
