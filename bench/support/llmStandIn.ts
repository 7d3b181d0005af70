// The model stand-in in a process of its own, so that its 8,000 chunks a second do not share
// an event loop with the benchmark's customers and inflate what they measure. It prints one
// JSON line when ready and one per answer: when the request came and when its first token left
// (epoch milliseconds with sub-millisecond precision, comparable across processes).
import { startOpenAiServer, say, type ChatRequestBody } from '../../test/support/openaiServer.ts';

const [firstTokenMs, tokensPerSecond, reply] = [
  Number(process.argv[2]),
  Number(process.argv[3]),
  process.argv[4]!,
];
const now = () => performance.timeOrigin + performance.now();
const received = new Map<string, number>();
const lastText = (body: ChatRequestBody) => {
  const last = body.messages?.at(-1);
  return typeof last?.content === 'string' ? last.content : '';
};
const llm = await startOpenAiServer({
  record: false,
  firstTokenMs,
  tokensPerSecond,
  script: (body) => {
    received.set(lastText(body), now());
    return [say(reply)];
  },
  onFirstPiece: (body) => {
    const key = lastText(body);
    process.stdout.write(JSON.stringify({ key, received: received.get(key), firstToken: now() }) + '\n');
    received.delete(key);
  },
});
process.stdout.write(JSON.stringify({ ready: llm.baseUrl }) + '\n');
process.on('SIGTERM', () => void llm.close().then(() => process.exit(0)));
