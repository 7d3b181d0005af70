import type { LlmProvider } from '@liveport/agent';
import type { TextModel } from '@liveport/desk';

/**
 * The agent's brain as the desk's translator sees it: one instruction and one text in, the
 * streamed answer gathered whole. No tools, and a low temperature: a translation is not a chat.
 */
export function translationModel(provider: LlmProvider): TextModel {
  return {
    async complete({ system, user, signal }) {
      let text = '';
      for await (const event of provider.chat({
        messages: [
          { role: 'system', content: system },
          { role: 'user', content: user },
        ],
        temperature: 0,
        ...(signal && { signal }),
      })) {
        if (event.type === 'text') text += event.delta;
      }
      return text;
    },
  };
}
