/** HTML text with its special characters escaped: everything the pages print goes through it. */
export function esc(value: string | number): string {
  return String(value)
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A whole page: the dashboard's stylesheet, its scripts when given, nothing from elsewhere. */
export function page(title: string, body: string, scripts: readonly string[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<link rel="stylesheet" href="/admin/assets/dashboard.css">
${scripts.map((src) => `<script defer src="${esc(src)}"></script>`).join('\n')}
</head>
<body>
${body}
</body>
</html>
`;
}

/** The page shown while ADMIN_TOKEN is unset: how to open the dashboard, and no data. */
export function disabledPage(): string {
  return page(
    'Dashboard is off',
    `<main class="narrow">
<h1>The dashboard is off</h1>
<p>It opens once the service has an admin token. Set <code>ADMIN_TOKEN</code> to a secret of at least
16 characters in the service's environment and restart it, for example:</p>
<pre><code>ADMIN_TOKEN="$(openssl rand -hex 24)" npm start</code></pre>
<p>Then come back to <a href="/admin">/admin</a> and sign in with that token. Keep it like a password:
anyone with it can read the figures and the review inbox.</p>
</main>`,
  );
}

/** The sign-in form; `problem` says what went wrong with the last try. */
export function signInPage(problem?: string): string {
  return page(
    'Sign in: dashboard',
    `<main class="narrow">
<h1>Sign in to the dashboard</h1>
${problem ? `<p class="problem" role="alert">${esc(problem)}</p>` : ''}
<form method="post" action="/admin/sign-in" class="signin">
<label for="token">Admin token (ADMIN_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
</main>`,
  );
}

/** A number with thousands separators; a share as a percentage with one decimal. */
export const count = (value: number): string => value.toLocaleString('en-US');
export const share = (value: number | null): string =>
  value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
