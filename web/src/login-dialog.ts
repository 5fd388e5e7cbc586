/**
 * The login dialog: shown when a change needs an account (editing, publishing, importing) or a read does (a draft
 * plan, its exports). The token lives in
 * this tab's sessionStorage and goes with every API request as a bearer token.
 */
import { login, setLoginPrompt } from './api-client.ts';
import { t } from './i18n.ts';

function dialog(): Promise<void> {
  return new Promise((resolve, reject) => {
    const back = document.createElement('div');
    back.className = 'login-backdrop';
    back.innerHTML = `
      <form class="login-dialog" autocomplete="on">
        <h2></h2><p class="login-hint"></p>
        <label><span></span><input name="name" autocomplete="username" required></label>
        <label><span></span><input name="password" type="password" autocomplete="current-password" required></label>
        <p class="login-error" role="alert"></p>
        <div class="login-actions"><button type="submit"></button><button type="button" data-cancel></button></div>
      </form>`;
    const form = back.querySelector('form')!;
    form.querySelector('h2')!.textContent = t('login.title');
    form.querySelector('.login-hint')!.textContent = t('login.hint');
    const spans = form.querySelectorAll('label span');
    spans[0].textContent = t('login.name');
    spans[1].textContent = t('login.password');
    form.querySelector('button[type=submit]')!.textContent = t('login.submit');
    const cancel = form.querySelector<HTMLButtonElement>('[data-cancel]')!;
    cancel.textContent = t('login.cancel');
    const close = () => back.remove();
    cancel.addEventListener('click', () => { close(); reject(new Error('login cancelled')); });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      try {
        await login(String(data.get('name') ?? ''), String(data.get('password') ?? ''));
        close();
        resolve();
      } catch {
        form.querySelector('.login-error')!.textContent = t('login.failed');
      }
    });
    document.body.append(back);
    form.querySelector<HTMLInputElement>('input[name=name]')!.focus();
  });
}

/** Install the dialog as the API client's login prompt. */
export function installLoginDialog(): void {
  setLoginPrompt(dialog);
}
