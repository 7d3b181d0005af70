// `npm run bench -- NAME`: runs one benchmark, prints its table and writes bench/results/NAME.json.
import { mkdirSync, writeFileSync } from 'node:fs';

const BENCHES: Record<string, () => Promise<{ figures: Record<string, number>; table: string }>> = {
  join: async () => (await import('./join.ts')).run(),
  quality: async () => (await import('./quality.ts')).run(),
  fanout: async () => (await import('./fanout.ts')).run(),
  agent: async () => (await import('./agent.ts')).run(),
  voice: async () => (await import('./voice.ts')).run(),
  desk: async () => (await import('./desk.ts')).run(),
  'fanout-profile': async () => (await import('./fanout.ts')).runProfile(),
};

const name = process.argv[2];
if (!name || !BENCHES[name]) {
  console.error(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}>`);
  process.exit(2);
}
const result = await BENCHES[name]!();
console.log(result.table);
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
const file = new URL(`./results/${name}.json`, import.meta.url);
writeFileSync(
  file,
  JSON.stringify({ name, figures: result.figures, at: new Date().toISOString() }, null, 2) + '\n',
);
console.log(`wrote ${file.pathname}`);
process.exit(0);
