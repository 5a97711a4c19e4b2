import type { ManifestInput } from '../sdk/protocol/manifest.ts';

/**
 * The three sample apps with the least rights each needs: every right here is used by the
 * app, and nothing else is granted (no permissions, default limits).
 */
export function demoManifests(origin: string): ManifestInput[] {
  return [
    {
      id: 'calendar',
      name: 'Calendar',
      url: `${origin}/sample-apps/calendar/index.html`,
      description: 'A month grid; selecting a day tells the other apps.',
      publishes: ['calendar.date.selected'],
      // The broker refuses a selected day that is not an ISO date (docs/typed-topics.md):
      // z.toJSONSchema of the calendar's DateSelected (sample-apps/calendar/topics.ts).
      schemas: {
        topics: {
          'calendar.date.selected': {
            type: 'object',
            properties: { date: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
            required: ['date'],
            additionalProperties: false,
          },
        },
      },
      // With a server, a selected day reaches the todo backend (its webhook).
      sync: { publishes: ['calendar.date.selected'] },
      reads: ['todo'],
      services: ['resize', 'shortcuts'],
      size: { height: { mode: 'content', min: 160 } },
      shortcuts: ['Alt+T'],
    },
    {
      id: 'todo',
      name: 'Todo',
      url: `${origin}/sample-apps/todo/index.html`,
      description: 'Dated todos, filtered by the selected day.',
      publishes: ['todo.item.completed'],
      subscribes: ['calendar.date.selected'],
      // With a server, ticks and the open count reach the user's other devices.
      sync: { publishes: ['todo.item.completed'], state: true },
      // identity: a token for its backend (items kept there, behind the server's gateway).
      services: ['storage', 'modal', 'notify', 'shortcuts', 'identity'],
      shortcuts: ['Alt+N'],
    },
    {
      id: 'chat',
      name: 'Chat',
      url: `${origin}/sample-apps/chat/index.html`,
      description: 'A message log that also announces completed todos.',
      publishes: ['chat.message.sent'],
      subscribes: ['todo.item.completed', 'chat.message.sent'],
      // With a server, messages and completed todos from the user's other devices too.
      sync: {
        publishes: ['chat.message.sent'],
        subscribes: ['todo.item.completed', 'chat.message.sent'],
      },
      services: ['notify', 'shortcuts'],
      shortcuts: ['Alt+M'],
    },
  ];
}
