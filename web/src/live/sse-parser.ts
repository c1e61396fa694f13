/**
 * Server-sent events read from a fetch stream (EventSource cannot send an
 * Authorization header). Feed it decoded text as it arrives; it returns each
 * complete event's data. Comment lines (`: keepalive`) are skipped.
 */
export interface SseMessage {
  readonly event: string;
  readonly data: string;
}

export class SseParser {
  #buffer = '';
  #event = '';
  #data: string[] = [];

  push(text: string): SseMessage[] {
    this.#buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.#buffer);
      if (match === null) break;
      const line = this.#buffer.slice(0, match.index);
      this.#buffer = this.#buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (this.#data.length > 0) out.push({ event: this.#event === '' ? 'message' : this.#event, data: this.#data.join('\n') });
        this.#event = '';
        this.#data = [];
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') this.#data.push(value);
      else if (field === 'event') this.#event = value;
    }
    return out;
  }
}
