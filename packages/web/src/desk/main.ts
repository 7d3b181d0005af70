import { ConsoleView } from './ConsoleView.ts';
import { DeskClient } from './DeskClient.ts';
import { DeskSession, type DeskSignIn } from './DeskSession.ts';
import { LoginView } from './LoginView.ts';

/**
 * The agent console at `/desk`: the sign-in form until there is a session, then the console on
 * one WebSocket to the node's `/desk`. A session the node refuses leads back to the form.
 */

declare global {
  interface Window {
    /** the console's client, for tests and diagnostics */
    liveportDesk?: DeskClient;
  }
}

const origin = location.origin;
const session = new DeskSession(origin);
const app = document.getElementById('app')!;
let current: { client: DeskClient; view: ConsoleView } | undefined;

function showLogin(notice?: string): void {
  const login = new LoginView(session, (signIn) => showConsole(signIn), notice);
  app.replaceChildren(login.root);
  login.focus();
}

function showConsole(signIn: DeskSignIn): void {
  const client = new DeskClient({ url: `${origin.replace(/^http/, 'ws')}/desk`, token: signIn.token });
  const view = new ConsoleView(client, () => void logout());
  current = { client, view };
  window.liveportDesk = client;
  client.on('unauthorized', ({ message }) => {
    leave();
    session.forget();
    showLogin(message);
  });
  app.replaceChildren(view.root);
  client.connect();
}

function leave(): void {
  current?.client.close();
  current?.view.dispose();
  current = undefined;
}

async function logout(): Promise<void> {
  leave();
  await session.logout();
  showLogin();
}

window.addEventListener('online', () => current?.client.reconnectNow());
const signedIn = session.current;
if (signedIn) showConsole(signedIn);
else showLogin();
