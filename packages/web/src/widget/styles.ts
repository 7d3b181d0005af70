/**
 * The widget's stylesheet, inside its shadow root: the store's CSS cannot reach in, and
 * `all: initial` on the host stops inherited fonts and colours from leaking through.
 */
export const WIDGET_CSS = `
:host {
  all: initial;
  --lp-accent: #2454d6;
  --lp-accent-text: #fff;
  --lp-bg: #fff;
  --lp-text: #1c2333;
  --lp-muted: #5d6679;
  --lp-line: #e3e6ee;
  --lp-soft: #f3f5f9;
  --lp-warn-bg: #fff4d6;
  --lp-warn-text: #6b4b00;
  --lp-bad: #b3261e;
  font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', sans-serif;
  color: var(--lp-text);
}
*, *::before, *::after { box-sizing: border-box; }
[hidden] { display: none !important; }
button, input, select, textarea { font: inherit; color: inherit; }
button { cursor: pointer; }
:focus-visible { outline: 2px solid var(--lp-accent); outline-offset: 2px; }
.sr-only {
  position: absolute; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap;
}

.launcher {
  position: fixed; z-index: 2147483000; inset-block-end: 20px; inset-inline-end: 20px;
  width: 56px; height: 56px; border-radius: 50%; border: 0;
  background: var(--lp-accent); color: var(--lp-accent-text);
  box-shadow: 0 6px 20px rgb(20 30 60 / 0.28);
  display: grid; place-items: center;
  transition: transform 0.15s ease;
}
.launcher:hover { transform: scale(1.05); }
.launcher svg { width: 26px; height: 26px; }
.launcher .unread {
  position: absolute; inset-block-start: 4px; inset-inline-end: 4px;
  width: 12px; height: 12px; border-radius: 50%;
  background: #e5484d; border: 2px solid #fff;
}
:host([data-side='left']) .launcher, :host([data-side='left']) .panel { inset-inline-end: auto; inset-inline-start: 20px; }

.panel {
  position: fixed; z-index: 2147483001; inset-block-end: 88px; inset-inline-end: 20px;
  width: 380px; height: min(620px, calc(100vh - 110px));
  display: flex; flex-direction: column;
  background: var(--lp-bg); border-radius: 14px; overflow: hidden;
  box-shadow: 0 12px 40px rgb(20 30 60 / 0.25), 0 0 0 1px rgb(20 30 60 / 0.06);
}
header {
  display: flex; align-items: center; gap: 8px;
  padding: 12px 12px 12px 16px; background: var(--lp-accent); color: var(--lp-accent-text);
}
.heading { flex: 1; min-width: 0; display: flex; flex-direction: column; gap: 2px; }
h2 { margin: 0; font-size: 16px; font-weight: 600; }
.brain {
  align-self: flex-start; font-size: 12px; padding: 1px 8px; border-radius: 999px;
  background: rgb(255 255 255 / 0.2); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 100%;
}
.brain[data-limited='true'] { background: var(--lp-warn-bg); color: var(--lp-warn-text); font-weight: 600; }
.icon-button {
  border: 0; background: transparent; color: inherit; width: 36px; height: 36px; border-radius: 8px;
  display: grid; place-items: center; font-size: 22px; line-height: 1;
}
.icon-button:hover { background: rgb(255 255 255 / 0.15); }

.notice { margin: 0; padding: 8px 16px; font-size: 13px; color: var(--lp-muted); background: var(--lp-soft); border-bottom: 1px solid var(--lp-line); }

.status { margin: 0; padding: 6px 16px; font-size: 13px; background: #fdecea; color: var(--lp-bad); }

.log { flex: 1; overflow-y: auto; padding: 14px 12px; display: flex; flex-direction: column; gap: 10px; overscroll-behavior: contain; }
.log > * { flex-shrink: 0; }
.msg { display: flex; flex-direction: column; max-width: 85%; }
.msg[data-role='customer'] { align-self: flex-end; align-items: flex-end; }
.msg[data-role='assistant'], .msg[data-role='agent'], .msg[data-role='system'] { align-self: flex-start; }
.who { font-size: 11px; color: var(--lp-muted); margin: 0 4px 2px; }
.bubble { padding: 8px 12px; border-radius: 14px; white-space: pre-wrap; overflow-wrap: anywhere; background: var(--lp-soft); }
.msg[data-role='customer'] .bubble { background: var(--lp-accent); color: var(--lp-accent-text); border-end-end-radius: 4px; }
.msg[data-role='assistant'] .bubble, .msg[data-role='agent'] .bubble { border-end-start-radius: 4px; }
.msg[data-role='agent'] .bubble { background: #e6f4ea; }
.msg[data-role='system'] { align-self: center; max-width: 95%; }
.msg[data-role='system'] .bubble { background: transparent; color: var(--lp-muted); font-size: 13px; text-align: center; padding: 2px 8px; }
.msg[data-status='sending'] .bubble { opacity: 0.7; }
.msg[data-status='failed'] .bubble { background: #fdecea; color: var(--lp-bad); }
.msg .meta { font-size: 12px; color: var(--lp-bad); margin: 2px 4px 0; display: flex; gap: 6px; align-items: center; }
.msg .meta button { border: 0; background: none; color: var(--lp-accent); text-decoration: underline; padding: 0; }
.msg[data-status='streaming'] .bubble:empty::after, .dots { display: inline-flex; gap: 4px; }
.msg[data-status='streaming'] .bubble:empty::after { content: '•••'; letter-spacing: 2px; color: var(--lp-muted); animation: lp-pulse 1.2s infinite; }
.interrupted { font-size: 12px; color: var(--lp-muted); margin: 2px 4px 0; }

.typing { align-self: flex-start; padding: 10px 14px; border-radius: 14px; background: var(--lp-soft); }
.dots span { width: 6px; height: 6px; border-radius: 50%; background: var(--lp-muted); animation: lp-pulse 1.2s infinite; }
.dots span:nth-child(2) { animation-delay: 0.2s; }
.dots span:nth-child(3) { animation-delay: 0.4s; }
@keyframes lp-pulse { 0%, 100% { opacity: 0.3; } 50% { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .dots span, .msg .bubble:empty::after, .light { animation: none !important; } .launcher { transition: none; } }

.card {
  align-self: stretch; border: 1px solid var(--lp-line); border-radius: 12px; overflow: hidden; background: #fff;
}
.card .body { padding: 10px 12px; display: flex; flex-direction: column; gap: 4px; }
.card h3 { margin: 0; font-size: 15px; font-weight: 600; }
.card h3 a { color: inherit; text-decoration: none; }
.card h3 a:hover { text-decoration: underline; }
.card p { margin: 0; font-size: 14px; color: var(--lp-muted); }
.card .line-first { color: var(--lp-text); }
.card img { display: block; width: 100%; height: 150px; object-fit: cover; background: var(--lp-soft); }
.card[data-kind='product'].with-image { display: grid; grid-template-columns: 96px 1fr; }
.card[data-kind='product'].with-image img { height: 100%; min-height: 96px; grid-row: span 2; }
.card[data-kind='product'].with-image .body, .card[data-kind='product'].with-image .actions { grid-column: 2; }
.card[data-kind='handoff'] { border-color: #b7dfc3; background: #f3fbf5; }
.card[data-kind='confirm'] { border-color: #c9d5f5; background: #f7f9ff; }
.card a.link { font-size: 14px; color: var(--lp-accent); font-weight: 500; }
.pill {
  align-self: flex-start; font-size: 12px; font-weight: 600; padding: 1px 8px; border-radius: 999px;
  background: var(--lp-soft); color: var(--lp-text); text-transform: capitalize;
}
.pill[data-status='shipped'], .pill[data-status='processing'], .pill[data-status='paid'] { background: #e3ecff; color: #1d3f99; }
.pill[data-status='delivered'], .pill[data-status='refunded'], .pill[data-status='approved'] { background: #e2f5e8; color: #1b6b35; }
.pill[data-status='cancelled'], .pill[data-status='rejected'] { background: #fdecea; color: var(--lp-bad); }
.actions { display: flex; flex-wrap: wrap; gap: 6px; padding: 0 12px 12px; }
.actions button, .card-form button[type='submit'] {
  border: 1px solid var(--lp-accent); background: #fff; color: var(--lp-accent);
  border-radius: 999px; padding: 6px 14px; font-weight: 500; min-height: 36px;
}
.actions button.primary, .card-form button[type='submit'] { background: var(--lp-accent); color: var(--lp-accent-text); }
.actions button:disabled, .card-form button:disabled { opacity: 0.5; cursor: default; }
.actions button.chosen { opacity: 1; outline: 2px solid var(--lp-accent); outline-offset: 1px; }
.card-form { padding: 0 12px 12px; display: flex; flex-direction: column; gap: 8px; }
.card-form fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; min-width: 0; }
.card-form label { display: flex; flex-direction: column; gap: 2px; font-size: 13px; color: var(--lp-muted); }
.card-form input, .card-form select {
  border: 1px solid var(--lp-line); border-radius: 8px; padding: 8px 10px; background: #fff; color: var(--lp-text); min-height: 40px;
}
.card-form button[type='submit'] { align-self: flex-start; }

.handoff-status { margin: 0; padding: 8px 16px; font-size: 13px; background: #e6f4ea; color: #1b6b35; border-top: 1px solid #b7dfc3; }

form.composer { display: flex; gap: 8px; padding: 10px 12px 6px; border-top: 1px solid var(--lp-line); align-items: flex-end; }
form.composer textarea {
  flex: 1; resize: none; border: 1px solid var(--lp-line); border-radius: 10px; padding: 9px 12px;
  max-height: 120px; min-height: 42px; background: #fff; line-height: 1.4;
}
form.composer button {
  width: 42px; height: 42px; border: 0; border-radius: 10px; background: var(--lp-accent); color: var(--lp-accent-text);
  display: grid; place-items: center;
}
form.composer button svg { width: 20px; height: 20px; }
:host([dir='rtl']) form.composer button[type='submit'] svg, .panel[dir='rtl'] form.composer button[type='submit'] svg { transform: scaleX(-1); }
form.composer button.talk { position: relative; background: var(--lp-soft); color: var(--lp-accent); border: 1px solid var(--lp-line); }
form.composer button.talk[data-voice='starting'], form.composer button.talk[data-voice='live'] { background: #d93025; color: #fff; border-color: #d93025; }
form.composer button.talk[data-voice='live'] svg, form.composer button.talk[data-voice='starting'] svg { width: 26px; height: 26px; }
form.composer button.talk .light {
  position: absolute; inset-block-start: -3px; inset-inline-end: -3px; width: 12px; height: 12px; border-radius: 50%; border: 2px solid #fff;
  animation: none;
}

/* The call's light: green while the agent listens, amber while it hears the customer, violet
   while it thinks, blue while it speaks; pulsing when someone is talking. */
.light { --lp-light: #2e9e5b; background: var(--lp-light); }
[data-light='hearing'] .light { --lp-light: #e8890c; }
[data-light='thinking'] .light { --lp-light: #7048e8; }
[data-light='speaking'] .light { --lp-light: #1c7ed6; }
[data-light='hearing'] .light, [data-light='speaking'] .light, [data-light='thinking'] .light { animation: lp-pulse 1s infinite; }
.voice {
  display: flex; align-items: center; gap: 8px; padding: 8px 16px; font-size: 13px; font-weight: 500;
  border-top: 1px solid var(--lp-line); background: var(--lp-soft);
}
.voice .light { width: 10px; height: 10px; border-radius: 50%; flex: none; }
.voice:not([data-light]) .light { --lp-light: var(--lp-muted); animation: lp-pulse 1.2s infinite; }
.voice-notice { margin: 0; padding: 8px 16px; font-size: 13px; background: var(--lp-warn-bg); color: var(--lp-warn-text); border-top: 1px solid var(--lp-line); }
.voice-notice small { display: block; margin-top: 2px; opacity: 0.8; font-size: 12px; overflow-wrap: anywhere; }
.footer { display: flex; justify-content: space-between; align-items: center; padding: 0 12px 10px; gap: 8px; }
.person { border: 0; background: none; color: var(--lp-accent); padding: 4px 0; font-size: 13px; font-weight: 500; text-decoration: underline; }
.powered { font-size: 11px; color: var(--lp-muted); }

@media (max-width: 480px) {
  .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
  .launcher { inset-block-end: 14px; inset-inline-end: 14px; }
  :host([data-open='true']) .launcher { display: none; }
}
`;
