/**
 * A socket as the page clients (the chat widget, the desk console) need it: the browser's
 * WebSocket and Node's `ws` both fit in a few lines, so tests drive the same clients in Node.
 */
export interface SocketTransport {
  send(text: string): void;
  close(): void;
}
export interface TransportHandlers {
  onOpen(): void;
  onMessage(text: string): void;
  onClose(): void;
}
export type TransportFactory = (url: string, handlers: TransportHandlers) => SocketTransport;

/** The page's own WebSocket (browsers, and Node 22+). */
export const webSocketTransport: TransportFactory = (url, handlers) => {
  const ws = new WebSocket(url);
  ws.onopen = () => handlers.onOpen();
  ws.onmessage = (ev: MessageEvent) => handlers.onMessage(String(ev.data));
  ws.onclose = () => handlers.onClose();
  // A failed socket also fires close, which is where reconnecting happens.
  ws.onerror = () => undefined;
  return { send: (text) => ws.send(text), close: () => ws.close() };
};
