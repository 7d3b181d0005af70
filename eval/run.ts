// `npm run eval -- agent`: the customer tasks against the configured LLM (LIVEPORT_LLM_BASE_URL,
// LIVEPORT_LLM_API_KEY, LIVEPORT_LLM_MODEL, or a local Ollama), graded by the store's final state.
import { mkdirSync, writeFileSync } from 'node:fs';
import { selectProvider } from '@liveport/agent';
import { TASKS } from './agent/tasks.ts';
import { runTasks } from './agent/harness.ts';

const name = process.argv[2];
if (name !== 'agent') {
  console.error('usage: npm run eval -- agent [task-id-prefix]');
  process.exit(2);
}
const filter = process.argv[3];
const env = process.env;
const provider = await selectProvider({
  llm: env.LIVEPORT_LLM_MODEL_PATH
    ? { kind: 'llama-cpp', modelPath: env.LIVEPORT_LLM_MODEL_PATH }
    : env.LIVEPORT_LLM_BASE_URL
      ? {
          kind: 'openai',
          baseUrl: env.LIVEPORT_LLM_BASE_URL,
          model: env.LIVEPORT_LLM_MODEL ?? 'gpt-4o-mini',
          ...(env.LIVEPORT_LLM_API_KEY && { apiKey: env.LIVEPORT_LLM_API_KEY }),
        }
      : undefined,
});
if (!provider) {
  console.error(
    'No LLM configured and no Ollama on 127.0.0.1:11434: set LIVEPORT_LLM_BASE_URL (and LIVEPORT_LLM_MODEL, LIVEPORT_LLM_API_KEY) to an OpenAI-compatible endpoint.',
  );
  process.exit(2);
}
const tasks = TASKS.filter((t) => !filter || t.id.startsWith(filter));
console.log(`agent eval: ${tasks.length} tasks against ${provider.kind} ${provider.model}\n`);
const results = await runTasks(
  tasks,
  () => provider,
  (r) => {
    console.log(`${r.pass ? 'PASS' : 'FAIL'}  ${r.id.padEnd(40)} ${String(r.ms).padStart(6)} ms`);
    for (const f of r.failures) console.log(`      ${f}`);
  },
);
const passed = results.filter((r) => r.pass).length;
const byLanguage = new Map<string, [number, number]>();
for (const r of results) {
  const [p, n] = byLanguage.get(r.language) ?? [0, 0];
  byLanguage.set(r.language, [p + (r.pass ? 1 : 0), n + 1]);
}
console.log(`\n| language | passed | tasks |\n| --- | --- | --- |`);
for (const [language, [p, n]] of byLanguage) console.log(`| ${language} | ${p} | ${n} |`);
console.log(`\npass rate: ${passed}/${results.length} (${((passed / results.length) * 100).toFixed(1)} %)`);
mkdirSync(new URL('../bench/results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('../bench/results/eval-agent.json', import.meta.url),
  JSON.stringify(
    { provider: { kind: provider.kind, model: provider.model }, passed, total: results.length, results },
    null,
    2,
  ) + '\n',
);
process.exit(0);
