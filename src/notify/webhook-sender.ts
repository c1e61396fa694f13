/** The outcome of one HTTP attempt: a status came back, or the call failed before one did. */
export type SendOutcome = { readonly status: number } | { readonly error: string };

export interface WebhookRequest {
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export type WebhookSend = (request: WebhookRequest) => Promise<SendOutcome>;

/**
 * POSTs one delivery. Redirects are not followed (a redirect could carry a
 * signed body somewhere the policy never named); the response body is
 * discarded so the connection is released at once.
 */
export const postWebhook: WebhookSend = async (request) => {
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      body: request.body,
      headers: request.headers,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    return { status: response.status };
  } catch (error) {
    if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
      return { error: `no response within ${request.timeoutMs} ms` };
    }
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { error: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
};
