import type { FrontEvent } from '../../support/clickhouse-http-front.js';

/** Makes the front hang statements whose SQL matches `match` ('' = every request, null = none). */
export async function hangFront(frontUrl: string, match: string | null): Promise<void> {
  const response = await fetch(`${frontUrl}/__front/hang`, { method: 'POST', body: JSON.stringify({ match }) });
  if (response.status !== 204) throw new Error(`the front refused the hang setting: ${response.status}`);
}

export async function frontEvents(frontUrl: string): Promise<FrontEvent[]> {
  return (await (await fetch(`${frontUrl}/__front/events`)).json()) as FrontEvent[];
}

/**
 * Polls the front until `found` returns a value. Not a timed wait: the test's own timeout is the
 * bound, and each round yields to the event loop so the server under test keeps working.
 */
export async function untilFront<T>(frontUrl: string, found: (events: FrontEvent[]) => T | undefined): Promise<T> {
  for (;;) {
    const value = found(await frontEvents(frontUrl));
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
