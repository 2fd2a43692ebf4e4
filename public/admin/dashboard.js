// The dashboard's charts (Chart.js, served by the service) from the figures the page already shows
// as text, and the review inbox (GET /admin/api/review). Text goes in with textContent only.
const stats = JSON.parse(document.getElementById('stats-data')?.textContent ?? 'null');
const still = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
const BLUE = '#1f5fbf';
const ORANGE = '#c25e00';
const GREEN = '#2e7d32';

function chart(name, config) {
  const canvas = document.getElementById(`chart-${name}`);
  if (!canvas || !window.Chart) return;
  const base = { responsive: true, maintainAspectRatio: false, animation: still ? false : undefined };
  new window.Chart(canvas, { ...config, options: { ...base, ...config.options } });
}

function bars(name, labels, values, label, color) {
  chart(name, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: color }] },
    // Counts: whole-number ticks only.
    options: {
      indexAxis: 'y',
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { precision: 0 } } },
    },
  });
}

function drawCharts() {
  if (!stats) return;
  const days = stats.perDay.map((day) => day.day.slice(5));
  chart('conversations', {
    type: 'bar',
    data: {
      labels: days,
      datasets: [
        { label: 'Started', data: stats.perDay.map((day) => day.started), backgroundColor: BLUE },
        {
          label: 'Reached a person',
          data: stats.perDay.map((day) => day.reachedPerson),
          backgroundColor: ORANGE,
        },
      ],
    },
  });
  const { totals, ratings } = stats;
  chart('containment', {
    type: 'doughnut',
    data: {
      labels: ['Ended without a person', 'Reached a person'],
      datasets: [{ data: [totals.contained, totals.reachedPerson], backgroundColor: [GREEN, ORANGE] }],
    },
  });
  chart('ratings', {
    type: 'doughnut',
    data: {
      labels: ['Yes', 'No'],
      datasets: [{ data: [ratings.yes, ratings.no], backgroundColor: [GREEN, ORANGE] }],
    },
  });
  bars(
    'escalations',
    stats.escalations.map((each) => each.reason),
    stats.escalations.map((each) => each.count),
    'Escalations',
    ORANGE,
  );
  bars(
    'intents',
    stats.intents.map((each) => each.intent),
    stats.intents.map((each) => each.count),
    'Messages',
    BLUE,
  );
}

const reviewStatus = document.getElementById('review-status');
const reviewItems = document.getElementById('review-items');

function element(tag, text, className) {
  const made = document.createElement(tag);
  if (text !== undefined) made.textContent = text;
  if (className) made.className = className;
  return made;
}

async function post(path, body) {
  const response = await fetch(path, {
    method: 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    const json = await response.json().catch(() => ({}));
    throw new Error(json.error?.message ?? `The service answered ${response.status}.`);
  }
}

/** One message to review: what was said, how it was read, the conversation around it, and the actions. */
function reviewItem(item, labels) {
  const entry = element('li');
  entry.append(
    element('p', `${item.reason.replaceAll('_', ' ')} · ${new Date(item.at).toLocaleString()}`, 'meta'),
    element('blockquote', item.text),
    element(
      'p',
      `Read as ${item.reading.intent} (${Math.round(item.reading.confidence * 100)}%, ${item.reading.reader})`,
      'meta',
    ),
  );
  if (item.context.length > 0) {
    const around = element('details');
    const lines = element('ol');
    for (const line of item.context) lines.append(element('li', `${line.role}: ${line.text}`));
    around.append(element('summary', 'Conversation around it'), lines);
    entry.append(around);
  }
  entry.append(actions(item, labels, entry));
  return entry;
}

function actions(item, labels, entry) {
  const bar = element('div', undefined, 'actions');
  const select = element('select');
  select.id = `label-${item.id}`;
  const label = element('label', 'Should have been');
  label.htmlFor = select.id;
  for (const each of labels) select.append(new Option(`${each.id} (${each.kind})`, each.id));
  const labelButton = element('button', 'Label');
  const dismiss = element('button', 'Dismiss', 'quiet');
  const act = async (path, body, done) => {
    labelButton.disabled = dismiss.disabled = true;
    try {
      await post(path, body);
      entry.remove();
      reviewStatus.textContent = done;
    } catch (error) {
      reviewStatus.textContent = error.message;
      labelButton.disabled = dismiss.disabled = false;
    }
  };
  const id = encodeURIComponent(item.id);
  labelButton.addEventListener(
    'click',
    () => void act(`/admin/api/review/${id}/label`, { label: select.value }, `Labelled as ${select.value}.`),
  );
  dismiss.addEventListener(
    'click',
    () => void act(`/admin/api/review/${id}/dismiss`, undefined, 'Dismissed.'),
  );
  bar.append(label, select, labelButton, dismiss);
  return bar;
}

async function loadReview() {
  if (!reviewStatus || !reviewItems) return;
  const [items, labels] = await Promise.all([
    fetch('/admin/api/review?status=open&limit=50'),
    fetch('/admin/api/review/labels'),
  ]);
  if (items.status === 404 || labels.status === 404) {
    reviewStatus.textContent = 'Review inbox not available.';
    return;
  }
  if (!items.ok || !labels.ok) {
    reviewStatus.textContent = `The review inbox could not be read (${items.ok ? labels.status : items.status}).`;
    return;
  }
  const { items: list } = await items.json();
  const { labels: choices } = await labels.json();
  reviewItems.replaceChildren(...list.map((item) => reviewItem(item, choices)));
  reviewStatus.textContent =
    list.length === 0 ? 'Nothing to review.' : `${list.length} message(s) to review.`;
}

drawCharts();
loadReview().catch(() => {
  reviewStatus.textContent = 'The review inbox could not be read.';
});
