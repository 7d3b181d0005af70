import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import {
  DeskError,
  DeskRouter,
  DeskStore,
  ManualClock,
  type AgentInput,
  type DeskRouterEvents,
  type NewWorkItem,
} from '@liveport/desk';

const SECOND_MS = 1000;

const EVENTS = [
  'offer',
  'offer_withdrawn',
  'assigned',
  'escalated',
  'queued',
  'transferred',
  'closed',
] as const;
type EventName = (typeof EVENTS)[number];
type Heard = { [K in EventName]: { event: K; payload: DeskRouterEvents[K][0] } }[EventName];

/** A router on a manual clock and an in-memory store, with every event it announces written down. */
function desk(options: { db?: Database.Database; clock?: ManualClock } = {}) {
  const clock = options.clock ?? new ManualClock();
  const store = new DeskStore(options.db ?? ':memory:');
  const router = new DeskRouter({ store, clock });
  const heard: Heard[] = [];
  for (const event of EVENTS) {
    router.on(event, (payload) => heard.push({ event, payload } as Heard));
  }
  /** the "agentId → item id" of every offer made since the last call */
  const offers = (): string[] => {
    const made = heard
      .filter((h) => h.event === 'offer')
      .map((h) => `${h.payload.agentId}→${h.payload.item.id}`);
    heard.length = 0;
    return made;
  };
  const agent = (id: string, fields: Partial<AgentInput> = {}) =>
    router.upsertAgent({ id, skills: ['after_sales'], languages: ['en'], status: 'online', ...fields });
  const submit = (id: string, fields: Partial<NewWorkItem> = {}) =>
    router.submit({
      id,
      conversationId: `conv-${id}`,
      kind: 'handoff',
      skill: 'after_sales',
      language: 'en',
      ...fields,
    });
  return { clock, store, router, heard, offers, agent, submit };
}

function codeOf(work: () => unknown): string {
  try {
    work();
  } catch (err) {
    assert.ok(err instanceof DeskError, `expected a DeskError, got ${String(err)}`);
    return err.code;
  }
  return 'no error';
}

describe('DeskRouter: who is offered what', () => {
  it('offers an item only to an online agent with both its skill and its language', () => {
    const { router, offers, agent, submit } = desk();
    agent('sales-es', { skills: ['sales'], languages: ['es'] });
    agent('after-en', { skills: ['after_sales'], languages: ['en'] });
    agent('after-es-away', { skills: ['after_sales'], languages: ['es'], status: 'away' });
    agent('after-es', { skills: ['after_sales'], languages: ['es', 'en'] });
    offers();
    const item = submit('refund', { language: 'es-MX' });
    assert.equal(item.queue, 'after_sales:es');
    assert.deepEqual(offers(), ['after-es→refund']);
    assert.equal(router.item('refund')?.status, 'offered');
  });

  it('keeps an item nobody can take waiting in its queue, and offers it when a matching agent comes online', () => {
    const { router, heard, offers, agent, submit } = desk();
    agent('de-agent', { languages: ['de'], status: 'offline' });
    submit('rückgabe', { language: 'de' });
    assert.deepEqual(
      heard.map((h) => h.event),
      ['queued'],
    );
    assert.deepEqual(
      router.queue('after_sales:de').map((q) => [q.id, q.position, q.status]),
      [['rückgabe', 1, 'waiting']],
    );
    router.setAgentStatus('de-agent', 'online');
    assert.deepEqual(offers(), ['de-agent→rückgabe']);
  });

  it('offers a waiting item to an agent whose new skills match it', () => {
    const { offers, agent, submit } = desk();
    agent('emma');
    submit('sofa', { skill: 'product:furniture' });
    assert.deepEqual(offers(), []);
    agent('emma', { skills: ['after_sales', 'product:furniture'] });
    assert.deepEqual(offers(), ['emma→sofa']);
  });

  it('balances load: fewest open conversations first, then whoever has been idle longest', () => {
    const { router, clock, offers, agent, submit } = desk();
    agent('a');
    clock.advance(SECOND_MS);
    agent('b');
    clock.advance(SECOND_MS);
    agent('c');
    for (const [item, expected] of [
      ['one', 'a'],
      ['two', 'b'],
      ['three', 'c'],
    ] as const) {
      submit(item);
      assert.deepEqual(offers(), [`${expected}→${item}`], 'each of a, b, c in the order they came online');
      router.accept(expected, item);
    }
    router.close('conv-three');
    clock.advance(SECOND_MS);
    router.close('conv-two');
    submit('four');
    // a still holds one; c and b hold none, and c has been idle a second longer than b.
    assert.deepEqual(offers(), ['c→four']);
  });

  it('serves the oldest waiting item first, across queues', () => {
    const { router, clock, offers, agent, submit } = desk();
    agent('ana', { languages: ['en', 'es'], maxConcurrent: 1 });
    submit('busy');
    router.accept('ana', 'busy');
    submit('older', { language: 'es' });
    clock.advance(SECOND_MS);
    submit('newer', { language: 'en' });
    // A handoff the AI agent opened before both, reaching the desk only now, is older still.
    submit('oldest', { language: 'en', createdAt: clock.now() - 5 * SECOND_MS });
    offers();
    router.close('conv-busy');
    assert.deepEqual(offers(), ['ana→oldest']);
    router.close('conv-oldest');
    assert.deepEqual(offers(), ['ana→older']);
  });

  it('offers a waiting item as soon as an agent frees a slot', () => {
    const { router, offers, agent, submit } = desk();
    agent('solo', { maxConcurrent: 1 });
    submit('first');
    router.accept('solo', 'first');
    submit('second');
    assert.deepEqual(offers(), ['solo→first']);
    assert.equal(router.queue()[0]?.position, 1);
    router.close('conv-first');
    assert.deepEqual(offers(), ['solo→second']);
    assert.deepEqual(router.stats().queues, [{ queue: 'after_sales:en', waiting: 1, oldestWaitMs: 0 }]);
  });
});

describe('DeskRouter: offers', () => {
  it('withdraws an offer not accepted within 20 s and offers the item to the next best agent', () => {
    const { router, clock, heard, offers, agent, submit } = desk();
    agent('a');
    clock.advance(SECOND_MS);
    agent('b');
    offers();
    submit('late');
    const offer = heard.find((h) => h.event === 'offer');
    assert.equal(offer?.event === 'offer' && offer.payload.expiresAt, clock.now() + 20 * SECOND_MS);
    assert.deepEqual(offers(), ['a→late']);
    clock.advance(20 * SECOND_MS - 1);
    assert.deepEqual(offers(), []);
    clock.advance(1);
    assert.deepEqual(
      heard.filter((h) => h.event === 'offer_withdrawn').map((h) => h.payload),
      [{ itemId: 'late', agentId: 'a', reason: 'timeout' }],
    );
    assert.deepEqual(offers(), ['b→late']);
    assert.equal(
      codeOf(() => router.accept('a', 'late')),
      'INVALID_STATE',
    );
    assert.equal(router.accept('b', 'late').assignee, 'b');
    assert.deepEqual(
      router.item('late')?.history.map((s) => [s.action, s.agentId]),
      [
        ['queued', undefined],
        ['lapsed', 'a'],
        ['assigned', 'b'],
      ],
    );
  });

  it('skips agents who declined until everyone has had a turn, then starts again', () => {
    const { router, clock, offers, agent, submit } = desk();
    agent('a');
    clock.advance(SECOND_MS);
    agent('b');
    clock.advance(SECOND_MS);
    agent('c');
    offers();
    submit('hot-potato');
    assert.deepEqual(offers(), ['a→hot-potato']);
    router.decline('a', 'hot-potato');
    assert.deepEqual(offers(), ['b→hot-potato']);
    router.decline('b', 'hot-potato');
    assert.deepEqual(offers(), ['c→hot-potato']);
    clock.advance(20 * SECOND_MS);
    assert.deepEqual(offers(), ['a→hot-potato'], 'after all three passed, the round starts over');
    assert.equal(
      codeOf(() => router.decline('b', 'hot-potato')),
      'INVALID_STATE',
    );
  });

  it('an agent who goes away keeps their conversations, and the offers they held go to others', () => {
    const { router, clock, heard, offers, agent, submit } = desk();
    agent('a');
    clock.advance(SECOND_MS);
    agent('b', { maxConcurrent: 1 });
    submit('kept');
    router.accept('a', 'kept');
    submit('busy-b');
    router.accept('b', 'busy-b');
    submit('moving');
    assert.deepEqual(offers().at(-1), 'a→moving');
    router.setAgentStatus('a', 'away');
    assert.deepEqual(
      heard.filter((h) => h.event === 'offer_withdrawn').map((h) => h.payload),
      [{ itemId: 'moving', agentId: 'a', reason: 'agent_unavailable' }],
    );
    assert.deepEqual(offers(), [], 'b is full, a is away: it waits');
    assert.deepEqual(
      router.assignments('a').map((i) => i.id),
      ['kept'],
    );
    router.close('conv-busy-b');
    assert.deepEqual(offers(), ['b→moving']);
  });

  it('an agent removed from the desk gives their offers and conversations back to the queue', () => {
    const { router, heard, offers, agent, submit } = desk();
    agent('leaving');
    agent('staying', { maxConcurrent: 1, status: 'away' });
    submit('held');
    router.accept('leaving', 'held');
    submit('offered');
    assert.deepEqual(offers(), ['leaving→held', 'leaving→offered']);
    assert.equal(router.removeAgent('leaving'), true);
    assert.deepEqual(
      heard.filter((h) => h.event === 'offer_withdrawn' || h.event === 'queued').map((h) => h.event),
      ['offer_withdrawn', 'queued'],
    );
    router.setAgentStatus('staying', 'online');
    assert.deepEqual(offers(), ['staying→held'], 'the older conversation first; staying has one slot');
    assert.deepEqual(
      router.item('held')?.history.map((s) => [s.action, s.reason]),
      [
        ['queued', undefined],
        ['assigned', undefined],
        ['requeued', 'agent_removed'],
      ],
    );
    assert.equal(router.removeAgent('leaving'), false);
    assert.deepEqual(router.stats().agentsOnline, 1);
  });

  it('announces after the change is complete, so a listener may accept the offer it hears', () => {
    const router = new DeskRouter({ store: new DeskStore(':memory:'), clock: new ManualClock() });
    router.on('offer', ({ item, agentId }) => router.accept(agentId, item.id));
    const order: string[] = [];
    for (const event of ['queued', 'offer', 'assigned'] as const) router.on(event, () => order.push(event));
    router.upsertAgent({ id: 'eager', skills: ['after_sales'], languages: ['en'] });
    router.submit({ id: 'instant', conversationId: 'c', kind: 'chat', skill: 'after_sales', language: 'en' });
    assert.equal(router.item('instant')?.assignee, 'eager');
    assert.equal(router.agent('eager')?.open, 1);
    assert.deepEqual(
      order,
      ['queued', 'offer', 'assigned'],
      'every listener hears events in the order they happened',
    );
  });
});

describe('DeskRouter: service level', () => {
  it('escalates an item still unassigned after 120 s and offers it to an online supervisor whatever it needs', () => {
    const { router, clock, heard, offers, agent, submit } = desk();
    agent('en-agent');
    agent('admin-offline', { role: 'admin', status: 'offline' });
    agent('sofia', { role: 'supervisor', skills: ['sales'], languages: ['es'] });
    submit('japanese', { language: 'ja' });
    clock.advance(120 * SECOND_MS - 1);
    assert.deepEqual(offers(), []);
    clock.advance(1);
    assert.deepEqual(
      heard.map((h) => h.event),
      ['escalated', 'offer'],
    );
    assert.deepEqual(offers(), ['sofia→japanese']);
    const item = router.accept('sofia', 'japanese');
    assert.equal(item.escalated, true);
    assert.deepEqual(
      item.history.map((s) => s.action),
      ['queued', 'escalated', 'assigned'],
    );
  });
});

describe('DeskRouter: service level, continued', () => {
  it('once escalated, the next offer goes to a supervisor rather than to agents who let it lapse', () => {
    const { router, clock, offers, agent, submit } = desk();
    agent('slow');
    agent('also-slow');
    clock.advance(SECOND_MS);
    // Came online last, so by idle time alone the agents would keep going first.
    agent('sofia', { role: 'supervisor', skills: ['sales'] });
    submit('stuck');
    clock.advance(120 * SECOND_MS);
    assert.equal(router.item('stuck')?.escalated, true);
    offers();
    clock.advance(20 * SECOND_MS);
    assert.deepEqual(offers(), ['sofia→stuck']);
  });
});

describe('DeskRouter: transfers', () => {
  it('transfers to a named agent, and if they decline the item goes to its queue, keeping its id and history', () => {
    const { router, clock, heard, offers, agent, submit } = desk();
    agent('a');
    clock.advance(SECOND_MS);
    agent('b');
    clock.advance(SECOND_MS);
    agent('c');
    submit('refund');
    router.accept('a', 'refund');
    offers();
    router.transfer('conv-refund', { toAgentId: 'b' }, 'a', 'needs a refund approval');
    const transferred = heard.find((h) => h.event === 'transferred');
    assert.ok(transferred?.event === 'transferred');
    assert.equal(transferred.payload.from, 'a');
    assert.deepEqual(transferred.payload.to, { toAgentId: 'b' });
    assert.equal(router.agent('a')?.open, 0);
    assert.deepEqual(offers(), ['b→refund']);
    router.decline('b', 'refund');
    assert.deepEqual(offers(), ['c→refund'], 'back to its queue, past the two who passed it on');
    const item = router.accept('c', 'refund');
    assert.equal(item.id, 'refund');
    assert.deepEqual(
      item.history.map(({ action, agentId, by, reason }) => ({ action, agentId, by, reason })),
      [
        { action: 'queued', agentId: undefined, by: undefined, reason: undefined },
        { action: 'assigned', agentId: 'a', by: undefined, reason: undefined },
        { action: 'transferred', agentId: 'b', by: 'a', reason: 'needs a refund approval' },
        { action: 'declined', agentId: 'b', by: undefined, reason: undefined },
        { action: 'requeued', agentId: undefined, by: undefined, reason: 'transfer_not_taken' },
        { action: 'assigned', agentId: 'c', by: undefined, reason: undefined },
      ],
    );
  });

  it('transfers to another queue, where it is offered to whoever serves that queue', () => {
    const { router, offers, agent, submit } = desk();
    agent('emma');
    agent('ana', { skills: ['sales'], languages: ['es'] });
    submit('upsell');
    router.accept('emma', 'upsell');
    offers();
    const moved = router.transfer('upsell', { toQueue: { skill: 'sales', language: 'es-ES' } }, 'emma');
    assert.equal(moved.queue, 'sales:es');
    assert.deepEqual(offers(), ['ana→upsell']);
    assert.deepEqual(moved.history.at(-1), {
      at: moved.history.at(-1)?.at,
      action: 'transferred',
      by: 'emma',
      queue: 'sales:es',
    });
  });

  it('only the holder or a supervisor may transfer a conversation', () => {
    const { router, clock, agent, submit } = desk();
    agent('a');
    clock.advance(SECOND_MS);
    agent('b');
    agent('sofia', { role: 'supervisor', skills: [], status: 'away' });
    submit('mine');
    router.accept('a', 'mine');
    assert.equal(
      codeOf(() => router.transfer('mine', { toAgentId: 'b' }, 'b')),
      'FORBIDDEN',
    );
    assert.equal(router.transfer('mine', { toAgentId: 'b' }, 'sofia').status, 'offered');
  });
});

describe('DeskRouter: video calls', () => {
  it('rings every agent with video and the language at once; the first to accept wins and the others stop ringing', () => {
    const { router, heard, offers, agent, submit } = desk();
    agent('v1', { skills: ['video'], languages: ['es'] });
    agent('v2', { skills: ['video', 'sales'], languages: ['es'] });
    agent('v-en', { skills: ['video'], languages: ['en'] });
    agent('chat-es', { skills: ['sales'], languages: ['es'] });
    offers();
    submit('call', { kind: 'video', skill: 'sales', language: 'es' });
    assert.deepEqual(offers().sort(), ['v1→call', 'v2→call']);
    router.accept('v2', 'call');
    assert.deepEqual(
      heard.filter((h) => h.event === 'offer_withdrawn').map((h) => h.payload),
      [{ itemId: 'call', agentId: 'v1', reason: 'taken' }],
    );
    assert.equal(
      codeOf(() => router.accept('v1', 'call')),
      'INVALID_STATE',
    );
    assert.equal(router.item('call')?.assignee, 'v2');
  });

  it('keeps ringing those left when one declines, and rings a video agent who comes online', () => {
    const { router, offers, agent, submit } = desk();
    agent('v1', { skills: ['video'] });
    agent('v2', { skills: ['video'] });
    submit('call', { kind: 'video', skill: 'video' });
    offers();
    router.decline('v1', 'call');
    assert.equal(router.item('call')?.status, 'offered');
    agent('v3', { skills: ['video'] });
    assert.deepEqual(offers(), ['v3→call']);
  });

  it('rings for a video call while the same conversation waits for a person in chat; closing one leaves the other', () => {
    const { router, agent, submit } = desk();
    agent('v1', { skills: ['video'] });
    const chat = submit('chat', { conversationId: 'c-1' });
    const call = submit('call', { conversationId: 'c-1', kind: 'video', skill: 'video' });
    assert.notEqual(call.id, chat.id);
    assert.equal(router.item('call')?.status, 'offered');
    assert.equal(router.item('c-1')?.id, 'chat', 'the conversation id finds its chat item');
    router.close('call');
    assert.equal(router.item('chat')?.status, 'waiting');
  });
});

describe('DeskRouter: persistence', () => {
  it('a restarted router restores queues and assignments from the store; offers start afresh', () => {
    const db = new Database(':memory:');
    const clock = new ManualClock();
    const before = desk({ db, clock });
    before.agent('a', { maxConcurrent: 1 });
    before.agent('b', { languages: ['fr'] });
    before.submit('held');
    before.router.accept('a', 'held');
    before.submit('waiting', { skill: 'sales' });
    before.submit('ringing', { language: 'fr' });
    assert.equal(before.router.item('ringing')?.status, 'offered');
    before.router.dispose();

    const after = desk({ db, clock });
    assert.deepEqual(
      after.router.queue().map((q) => [q.id, q.queue, q.position, q.status]),
      [
        ['waiting', 'sales:en', 1, 'waiting'],
        ['ringing', 'after_sales:fr', 1, 'waiting'],
      ],
    );
    assert.deepEqual(
      after.router.assignments('a').map((i) => [i.id, i.history.map((s) => s.action).join(',')]),
      [['held', 'queued,assigned']],
    );
    after.agent('a', { skills: ['after_sales', 'sales'], maxConcurrent: 1 });
    after.agent('b', { languages: ['fr'] });
    assert.deepEqual(after.offers(), ['b→ringing'], 'a is full with the conversation restored to them');
    after.router.close('conv-held');
    assert.deepEqual(after.offers(), ['a→waiting']);
  });
});
