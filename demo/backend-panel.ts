/**
 * The panel's "App backends" lines: what the sample backends report (`GET /stats`, readable
 * from the demo page's origin only): the todo backend's webhook deliveries and the chat
 * backend's queue. Polled while the page is visible; figures are numbers or shown as `?`.
 */
export function showBackends(todo: string, chat: string): void {
  const $ = (id: string) => document.getElementById(id)!;
  $('backends').hidden = false;
  const figure = (value: unknown) => (typeof value === 'number' ? String(value) : '?');
  const read = async (url: string): Promise<Record<string, unknown>> => {
    try {
      const response = await fetch(`${url}/stats`);
      return response.ok ? ((await response.json()) as Record<string, unknown>) : {};
    } catch {
      return {};
    }
  };
  const poll = async () => {
    if (document.visibilityState === 'visible') {
      const [t, c] = await Promise.all([read(todo), read(chat)]);
      $('webhook-count').textContent = figure(t.webhooks);
      $('webhook-last').textContent =
        typeof t.lastTopic === 'string' && t.lastTopic !== '' ? `(last: ${t.lastTopic})` : '';
      $('queue-depth').textContent = figure(c.backlog);
      $('queue-pending').textContent = figure(c.pending);
      $('queue-handled').textContent = figure(c.acked);
      $('queue-dead').textContent = figure(c.deadLetters);
    }
    setTimeout(() => void poll(), 1000);
  };
  void poll();
}
