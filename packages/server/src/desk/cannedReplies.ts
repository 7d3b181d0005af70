/**
 * The replies an agent sends most, one click away. English: the node translates them for the
 * customer like anything else the agent writes.
 */
export const CANNED_REPLIES: readonly { id: string; title: string; text: string }[] = [
  {
    id: 'greeting',
    title: 'Greeting',
    text: 'Hello! I have read the conversation so far and will help you from here.',
  },
  {
    id: 'checking',
    title: 'Checking the order',
    text: 'Thanks — let me check your order. One moment, please.',
  },
  { id: 'anything_else', title: 'Anything else?', text: 'Is there anything else I can help you with?' },
  { id: 'goodbye', title: 'Goodbye', text: 'Thank you for contacting us. Have a great day!' },
];
