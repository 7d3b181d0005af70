import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenAiCompatibleProvider } from '@liveport/agent';
import { TASKS } from '../../eval/agent/tasks.ts';
import { runTask, sandbox } from '../../eval/agent/harness.ts';
import { startOpenAiServer, type OpenAiServer } from '../support/openaiServer.ts';
import { planScript, resolvePlan, wrongPlan } from '../support/scriptedAgent.ts';

describe('agent evaluation harness', () => {
  let llm: OpenAiServer;
  let provider: OpenAiCompatibleProvider;
  before(async () => {
    llm = await startOpenAiServer({ record: false });
    provider = new OpenAiCompatibleProvider({ baseUrl: llm.baseUrl, model: 'scripted', maxRetries: 0 });
  });
  after(() => llm.close());

  test('has at least 30 tasks in at least 4 languages, each with a reference solution', () => {
    assert.ok(TASKS.length >= 30, `${TASKS.length} tasks`);
    const languages = new Set(TASKS.map((t) => t.language));
    for (const l of ['en', 'es', 'ar', 'zh']) assert.ok(languages.has(l), `no ${l} task`);
    assert.equal(new Set(TASKS.map((t) => t.id)).size, TASKS.length, 'task ids are unique');
    for (const t of TASKS) assert.equal(t.reference.length, t.turns.length, `${t.id}: one plan per turn`);
  });

  test('passes every task when the model plays the right tool calls', async () => {
    const failed: string[] = [];
    for (const task of TASKS) {
      const box = sandbox();
      llm.options.script = planScript(await resolvePlan(task.reference, box.store));
      const result = await runTask(task, provider, box);
      if (!result.pass) failed.push(`${task.id}: ${result.failures.join('; ')}`);
    }
    assert.deepEqual(failed, []);
  });

  test('fails every task when the model plays wrong ones', async () => {
    const passed: string[] = [];
    for (const task of TASKS) {
      const box = sandbox();
      llm.options.script = planScript(wrongPlan(await resolvePlan(task.reference, box.store)));
      const result = await runTask(task, provider, box);
      if (result.pass) passed.push(task.id);
    }
    assert.deepEqual(passed, []);
  });
});
