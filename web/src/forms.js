// forms.js - the panels of a page's ```form blocks (docs/forms.md): a
// label, the fields the form needs (email and password when it signs in,
// a text field for each input it lists that the page has no control for,
// an image picker), a Submit button and an inline status line.  A
// submission sends the page's current input values to POST
// /api/forms/submit on `ducksite serve`; after it succeeded the page
// re-runs the queries that read the form's target.  Only the email is
// remembered (localStorage); a password never is.
import { errorText, h } from './dom.js';

const EMAIL_KEY = 'ducksite_user_email';
const SUBMIT_URL = '/api/forms/submit';
const PASSWORD_URL = '/api/auth/update_password';
const SESSION_URL = '/api/session';

let uid = 0;

function storedEmail() {
  try {
    return localStorage.getItem(EMAIL_KEY) || '';
  } catch {
    return '';
  }
}

function storeEmail(email) {
  try {
    if (email) localStorage.setItem(EMAIL_KEY, email);
  } catch { /* private mode: nothing is remembered */ }
}

/** The domain of EMAIL is one of DOMAINS (lower case, a whole domain, as the server checks). */
export function domainAllowed(email, domains) {
  if (!domains || !domains.length) return true;
  const at = email.lastIndexOf('@');
  if (at < 0) return false;
  const d = email.slice(at + 1).toLowerCase();
  return domains.some((x) => x.toLowerCase() === d);
}

/**
 * The message for a failed POST: the server's {"error"} when it answered
 * JSON; otherwise the site is not served by `ducksite serve` (a static
 * host or a proxy without /api).
 */
export async function failureText(res) {
  const type = res.headers.get('content-type') || '';
  if (type.includes('application/json')) {
    try {
      const body = await res.json();
      if (body && typeof body.error === 'string') return body.error;
    } catch { /* fall through */ }
  }
  return `forms cannot be submitted here: this site is not served by \`ducksite serve\` (the server answered HTTP ${res.status} to ${SUBMIT_URL})`;
}

function field(label, control) {
  return h('label', { class: 'ds-input ds-form-field' }, h('span', { class: 'ds-input-label', text: label }), control);
}

class FormPanel {
  /** EL is the placeholder, SPEC the form's page-config entry, PAGE the page (inputs, refresh). */
  constructor(el, spec, page, signedIn = null) {
    this.el = el;
    this.spec = spec;
    this.page = page;
    this.signedIn = signedIn; // the site session's email: the server uses it, so nothing is asked
    this.id = `ds-form-${++uid}`;
    this.busy = false;
    this.build();
  }

  /** Inputs the form lists that no page input provides: typed into the form itself. */
  ownInputs() {
    const pageInputs = this.page.inputNames();
    return (this.spec.inputs || []).filter((n) => !pageInputs.has(n));
  }

  build() {
    const s = this.spec;
    const el = this.el;
    el.replaceChildren();
    el.classList.add('ds-form');
    const fields = h('div', { class: 'ds-form-fields' });
    this.own = {};
    for (const name of this.ownInputs()) {
      const box = h('input', { type: 'text', class: 'ds-text', name, autocomplete: 'off' });
      this.own[name] = box;
      fields.append(field(name, box));
    }
    const needsEmail = s.auth_required || (s.allowed_email_domains || []).length || s.max_rows_per_user;
    if (needsEmail && this.signedIn) {
      fields.append(h('div', { class: 'ds-form-signed-in', text: `Submitting as ${this.signedIn}` }));
    } else if (needsEmail) {
      this.email = h('input', { type: 'email', class: 'ds-text', name: 'email', autocomplete: 'email', value: storedEmail() });
      this.email.value = storedEmail();
      const hint = (s.allowed_email_domains || []).length ? `Email (${s.allowed_email_domains.map((d) => `@${d}`).join(', ')})` : 'Email';
      fields.append(field(hint, this.email));
    }
    if (s.auth_required && !this.signedIn) {
      this.password = h('input', { type: 'password', class: 'ds-text', name: 'password', autocomplete: 'current-password' });
      fields.append(field('Password', this.password));
    }
    if (s.image_field) {
      this.file = h('input', { type: 'file', class: 'ds-form-file', name: s.image_field, accept: 'image/png,image/jpeg,image/gif,image/webp' });
      fields.append(field(`${s.image_field} (PNG, JPEG, GIF or WebP, at most 5 MiB)`, this.file));
    }
    this.button = h('button', { type: 'submit', class: 'ds-btn ds-btn-primary' }, 'Submit');
    const actions = h('div', { class: 'ds-form-actions' }, this.button);
    if (s.auth_required && !this.signedIn) {
      actions.append(h('button', { type: 'button', class: 'ds-btn ds-btn-small ds-form-link', onclick: () => this.togglePassword() }, 'Change password'));
    }
    fields.append(actions);
    this.status = h('div', { class: 'ds-form-status', role: 'status', 'aria-live': 'polite' });
    const form = h('form', { class: 'ds-form-body', novalidate: true, onsubmit: (ev) => { ev.preventDefault(); this.submit(); } },
      h('div', { class: 'ds-form-title', text: s.label || s.id }), fields, this.status);
    el.append(form);
    if (s.auth_required && !this.signedIn) el.append(this.passwordPanel());
    el.dataset.dsState = 'idle';
  }

  passwordPanel() {
    this.oldPw = h('input', { type: 'password', class: 'ds-text', autocomplete: 'current-password' });
    this.newPw = h('input', { type: 'password', class: 'ds-text', autocomplete: 'new-password' });
    this.newPw2 = h('input', { type: 'password', class: 'ds-text', autocomplete: 'new-password' });
    this.pwStatus = h('div', { class: 'ds-form-status', role: 'status', 'aria-live': 'polite' });
    this.pwPanel = h('form', { class: 'ds-form-password', hidden: true, novalidate: true, onsubmit: (ev) => { ev.preventDefault(); this.changePassword(); } },
      h('div', { class: 'ds-form-fields' },
        field('Current password', this.oldPw), field('New password (8+ characters)', this.newPw), field('New password again', this.newPw2),
        h('div', { class: 'ds-form-actions' }, h('button', { type: 'submit', class: 'ds-btn' }, 'Change password'))),
      this.pwStatus);
    return this.pwPanel;
  }

  togglePassword() {
    this.pwPanel.hidden = !this.pwPanel.hidden;
    if (!this.pwPanel.hidden) this.oldPw.focus();
  }

  show(statusEl, kind, text) {
    statusEl.className = `ds-form-status ds-form-${kind}`;
    statusEl.textContent = text;
    this.el.dataset.dsState = kind === 'ok' ? 'ok' : kind === 'error' ? 'error' : 'busy';
  }

  /** The values sent: the page's inputs, then what was typed into the form. */
  values() {
    const inputs = { ...this.page.inputs() };
    for (const [name, box] of Object.entries(this.own)) inputs[name] = box.value;
    return inputs;
  }

  check() {
    const s = this.spec;
    const email = this.email ? this.email.value.trim() : '';
    if (this.email && !email) return 'Enter your email.';
    if (this.email && !domainAllowed(email, s.allowed_email_domains)) {
      return `This form accepts emails at ${s.allowed_email_domains.map((d) => `@${d}`).join(', ')} only.`;
    }
    if (this.password && !this.password.value) return 'Enter your password (the first submission sets it).';
    const file = this.file?.files?.[0];
    if (file && file.size > 5 * 1024 * 1024) return 'The image is larger than 5 MiB.';
    return null;
  }

  async post(url, body, headers) {
    let res;
    try {
      res = await fetch(url, { method: 'POST', credentials: 'same-origin', headers, body });
    } catch (e) {
      return { error: `the server did not answer (${errorText(e)})` };
    }
    if (!res.ok) return { error: await failureText(res), status: res.status };
    try {
      return { body: await res.json() };
    } catch {
      return { error: await failureText(res) };
    }
  }

  async submit() {
    if (this.busy) return;
    const problem = this.check();
    if (problem) {
      this.show(this.status, 'error', problem);
      return;
    }
    const s = this.spec;
    const email = this.email ? this.email.value.trim() : '';
    const file = this.file?.files?.[0];
    let body;
    let headers;
    const inputs = this.values();
    if (file) {
      body = new FormData();
      body.append('form_id', s.id);
      body.append('inputs', JSON.stringify(inputs));
      if (email) body.append('email', email);
      if (this.password?.value) body.append('password', this.password.value);
      body.append(s.image_field, file, file.name);
    } else {
      headers = { 'Content-Type': 'application/json' };
      const msg = { form_id: s.id, inputs };
      if (email) msg.email = email;
      if (this.password?.value) msg.password = this.password.value;
      body = JSON.stringify(msg);
    }
    this.busy = true;
    this.button.disabled = true;
    this.show(this.status, 'busy', 'Submitting…');
    const out = await this.post(SUBMIT_URL, body, headers);
    this.busy = false;
    this.button.disabled = false;
    if (out.error) {
      this.show(this.status, 'error', out.error);
      return;
    }
    if (email) storeEmail(email);
    const n = out.body.rows_appended;
    let text = `Submitted: ${n} row${n === 1 ? '' : 's'} added.`;
    if (out.body.auth_status === 'set') text += ` Your password for ${email} is now set; use it next time.`;
    this.show(this.status, 'ok', text);
    if (this.file) this.file.value = '';
    for (const box of Object.values(this.own)) box.value = '';
    if (s.reads) this.page.refreshReading(s.reads);
    window.dispatchEvent(new CustomEvent('ducksite:form-submitted', { detail: { form: s.id, rows: n } }));
  }

  async changePassword() {
    const email = this.email.value.trim();
    if (!email) return this.show(this.pwStatus, 'error', 'Enter your email above.');
    if (!this.oldPw.value || !this.newPw.value) return this.show(this.pwStatus, 'error', 'Enter the current and the new password.');
    if (this.newPw.value !== this.newPw2.value) return this.show(this.pwStatus, 'error', 'The new passwords differ.');
    if (this.newPw.value.length < 8) return this.show(this.pwStatus, 'error', 'The new password needs at least 8 characters.');
    this.show(this.pwStatus, 'busy', 'Changing…');
    const out = await this.post(PASSWORD_URL, JSON.stringify({ email, old_password: this.oldPw.value, new_password: this.newPw.value }), { 'Content-Type': 'application/json' });
    if (out.error) return this.show(this.pwStatus, 'error', out.error);
    for (const b of [this.oldPw, this.newPw, this.newPw2]) b.value = '';
    this.password.value = '';
    storeEmail(email);
    return this.show(this.pwStatus, 'ok', `Password changed for ${email}.`);
  }
}

/** Mounts a panel in every [data-ds-form] placeholder of the page; PAGE gives inputs() and refreshReading(path). */
/**
 * Who the site session says this is (GET /api/session), or null: on a site
 * with `[auth] site = true` the server takes the submitter from the
 * session, so the panels ask for no email or password.  Any failure (a
 * static host, an older server) means "not known" and the panels ask.
 */
async function sessionEmail() {
  try {
    const res = await fetch(SESSION_URL, { credentials: 'same-origin' });
    if (!res.ok) return null;
    const body = await res.json();
    return body && body.site_sign_in && typeof body.email === 'string' ? body.email : null;
  } catch {
    return null;
  }
}

export async function mountForms(config, page) {
  const specs = new Map((config.forms || []).map((f) => [f.id, f]));
  const found = [...document.querySelectorAll('[data-ds-form]')].filter((el) => specs.has(el.dataset.dsForm));
  const needs = found.some((el) => {
    const s = specs.get(el.dataset.dsForm);
    return s.auth_required || (s.allowed_email_domains || []).length || s.max_rows_per_user;
  });
  const signedIn = needs ? await sessionEmail() : null;
  return found.map((el) => new FormPanel(el, specs.get(el.dataset.dsForm), page, signedIn));
}
