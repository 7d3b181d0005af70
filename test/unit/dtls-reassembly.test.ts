import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { reassembleByMessage } from '../../packages/media/src/DtlsFlights.ts';

interface Fragment {
  msg_type: number;
  length: number;
  message_seq: number;
  fragment_offset: number;
  fragment_length: number;
}
const fragment = (seq: number, length: number, offset: number, size: number): Fragment => ({
  msg_type: 1,
  length,
  message_seq: seq,
  fragment_offset: offset,
  fragment_length: size,
});

function reassembler() {
  const socket = {} as { handleFragmentHandshake(messages: Fragment[]): Fragment[] };
  reassembleByMessage(socket);
  return (...messages: Fragment[]) => socket.handleFragmentHandshake(messages);
}

describe('handshake messages put together from their fragments', () => {
  it('passes a whole message straight on', () => {
    const take = reassembler();
    const whole = fragment(0, 300, 0, 300);
    assert.deepEqual(take(whole), [whole]);
  });

  it('hands a fragmented message on once its own fragments cover it, in any order', () => {
    const take = reassembler();
    const tail = fragment(0, 1400, 1100, 300);
    const head = fragment(0, 1400, 0, 1100);
    assert.deepEqual(take(tail), []);
    assert.deepEqual(take(head), [tail, head]);
  });

  it('never mixes in a fragment of an earlier hello: the repeat with a cookie stands alone', () => {
    const take = reassembler();
    // the first hello lost its head; the node asked again, and the hello came back longer
    assert.deepEqual(take(fragment(0, 1400, 1100, 300)), []);
    const head = fragment(1, 1420, 0, 1100);
    const tail = fragment(1, 1420, 1100, 320);
    assert.deepEqual(take(head), []);
    assert.deepEqual(take(tail), [head, tail]);
  });

  it('survives a flood of stray fragments, and still puts messages together after it', () => {
    const take = reassembler();
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    for (let i = 0; i < 10_000; i++) {
      const length = 1 + random(5000);
      const out = take(fragment(random(4), length, random(length + 10), random(1500)));
      for (const f of out) assert.equal(f.length, length);
    }
    // still works afterwards
    const head = fragment(9, 100, 0, 60);
    take(head);
    assert.equal(take(fragment(9, 100, 60, 40)).length, 2);
  });
});
