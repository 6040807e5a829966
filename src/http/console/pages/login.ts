import { html, type SafeHtml } from '../html.ts';
import { page } from '../layout.ts';

export function loginPage(options: {
  next: string;
  failed: boolean;
  throttled?: boolean;
  passwordEnabled: boolean;
}): SafeHtml {
  const label = options.passwordEnabled ? 'Password or admin token' : 'Admin token';
  const problem = options.throttled
    ? 'Too many failed attempts; wait 15 minutes.'
    : options.failed
      ? 'That did not match. Check the token (in data/admin-token or HANDOFF_ADMIN_TOKEN).'
      : null;
  return page(
    { title: 'Log in', flash: problem ? { text: problem, bad: true } : null },
    html`<div class="login panel"><h1>Handoff</h1>
<form class="stack" method="post" action="/login">
  <label>${label}<br><input type="password" name="secret" autocomplete="current-password" required autofocus style="width:100%"></label>
  <label>Your name <span class="muted small">(shown in the audit trail for changes you make)</span><br><input name="name" autocomplete="name" style="width:100%"></label>
  <input type="hidden" name="next" value="${options.next}">
  <button type="submit">Log in</button>
</form></div>`,
  );
}
