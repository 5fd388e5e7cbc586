/** Pieces shared by the views: the jurisdiction to show, the header with navigation and language switch. */
import { fetchJurisdictions, login, type JurisdictionNode } from '../api-client.ts';
import { button, el } from '../dom.ts';
import { t } from '../i18n.ts';
import type { ViewContext } from './view.ts';

/** The jurisdiction asked for by `?jcode=`, else the first loaded; null when none is loaded. */
export async function pickJurisdiction(query: URLSearchParams): Promise<JurisdictionNode | null> {
  const list = await fetchJurisdictions();
  const want = query.get('jcode');
  return list.find((j) => j.jcode === want) ?? list[0] ?? null;
}

/** Every community node under a jurisdiction node. */
export function communitiesOf(j: JurisdictionNode): JurisdictionNode[] {
  const out: JurisdictionNode[] = [];
  const walk = (n: JurisdictionNode) => {
    if (n.level === 'community') out.push(n);
    n.children.forEach(walk);
  };
  walk(j);
  return out;
}

/**
 * Names for the codes under a jurisdiction: a street's or community's own name, a grid's as its community's name
 * and its number there (grid codes are the community's code and 3 digits), else the code itself.
 */
export function placeNames(j: JurisdictionNode | null): (code: string) => string {
  const names = new Map<string, string>();
  const walk = (n: JurisdictionNode) => { names.set(n.code, n.name); n.children.forEach(walk); };
  if (j) walk(j);
  return (code) => names.get(code) ?? (names.has(code.slice(0, -3)) ? `${names.get(code.slice(0, -3))} ${code.slice(-3)}` : code);
}

/** A header: title, and the language switch. */
export function header(ctx: ViewContext, title: string, cls = 'view-head'): HTMLElement {
  const h = el('header', cls);
  h.append(el('h1', undefined, title), button(t('switchLang'), ctx.switchLang, 'lang-switch'));
  return h;
}

/** A view that could not load: the error on the console, its message in `root`, the page's state 'error'. */
export function loadFailed(ctx: ViewContext, root: HTMLElement, e: unknown): void {
  console.error(e);
  root.append(el('p', 'message message-error', `${t('loadFailed')}: ${(e as Error).message}`));
  ctx.setState('error');
}

/** Texts of the sign-in form, in the page's own dictionary. */
export type SignInText = (key: 'needLogin' | 'name' | 'password' | 'login' | 'loginFailed') => string;

/**
 * The sign-in form a page shows in place of its content when it needs an account (the events and roster pages):
 * name and password, a message that turns into the error on a failed login, `onLoggedIn` after a good one.
 */
export function signInForm(formClass: string, fieldClass: string, text: SignInText, onLoggedIn: () => void): HTMLFormElement {
  const f = el('form', formClass);
  const name = el('input');
  name.name = 'name';
  name.autocomplete = 'username';
  const pw = el('input');
  pw.name = 'password';
  pw.type = 'password';
  pw.autocomplete = 'current-password';
  const msg = el('p', 'message', text('needLogin'));
  const submit = el('button', 'btn btn-primary', text('login'));
  submit.type = 'submit';
  const field = (label: string, input: HTMLElement) => { const l = el('label', fieldClass); l.append(el('span', undefined, label), input); return l; };
  f.append(msg, field(text('name'), name), field(text('password'), pw), submit);
  f.addEventListener('submit', (e) => {
    e.preventDefault();
    login(name.value, pw.value).then(onLoggedIn, () => { msg.textContent = text('loginFailed'); msg.className = 'message message-error'; });
  });
  return f;
}
