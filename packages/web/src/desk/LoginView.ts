import { el } from './element.ts';
import { DeskSessionError, type DeskSession, type DeskSignIn } from './DeskSession.ts';

/** The sign-in form: e-mail and password, the node's refusal shown as it words it. */
export class LoginView {
  readonly root: HTMLElement;
  private readonly email: HTMLInputElement;
  private readonly password: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly problem: HTMLElement;

  constructor(
    private readonly session: DeskSession,
    private readonly onSignedIn: (signIn: DeskSignIn) => void,
    notice?: string,
  ) {
    this.email = el('input', {
      type: 'email',
      name: 'email',
      autocomplete: 'username',
      required: '',
      testid: 'login-email',
    });
    this.password = el('input', {
      type: 'password',
      name: 'password',
      autocomplete: 'current-password',
      required: '',
      testid: 'login-password',
    });
    this.submit = el('button', { type: 'submit', text: 'Sign in', testid: 'login-submit' });
    this.problem = el('p', { class: 'problem', role: 'alert', testid: 'login-error', hidden: '' });
    const form = el(
      'form',
      { class: 'login', testid: 'login-form' },
      el('h1', { text: 'Liveport desk' }),
      el('label', {}, 'E-mail', this.email),
      el('label', {}, 'Password', this.password),
      this.problem,
      this.submit,
    );
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void this.signIn();
    });
    this.root = el('main', { class: 'login-page' }, form);
    if (notice) this.show(notice);
  }

  focus(): void {
    this.email.focus();
  }

  private async signIn(): Promise<void> {
    this.submit.disabled = true;
    this.problem.hidden = true;
    try {
      const signIn = await this.session.login(this.email.value.trim(), this.password.value);
      this.password.value = '';
      this.onSignedIn(signIn);
    } catch (err) {
      this.show(err instanceof DeskSessionError ? err.message : 'The node cannot be reached.');
      if (err instanceof DeskSessionError) this.problem.dataset.code = err.code;
    } finally {
      this.submit.disabled = false;
    }
  }

  private show(text: string): void {
    this.problem.textContent = text;
    this.problem.hidden = false;
  }
}
