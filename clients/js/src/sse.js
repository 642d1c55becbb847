/**
 * Server-sent events from a byte stream: yields `{event, data}` (data joined from its `data:` lines, JSON-parsed
 * when it is JSON).
 * @param {ReadableStream<Uint8Array>} body
 */
export async function* serverSentEvents(body) {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffer = '';
  let event = 'message';
  let data = [];
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }
      buffer += decoder.decode(value, { stream: true });
      let newline;
      while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
        if (buffer[newline] === '\r' && newline === buffer.length - 1) {
          break; // a CR at the end of a chunk may be half of a CRLF
        }
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
        if (line === '') {
          if (data.length > 0) {
            yield { event, data: parse(data.join('\n')) };
          }
          event = 'message';
          data = [];
          continue;
        }
        if (line.startsWith(':')) {
          continue;
        }
        const colon = line.indexOf(':');
        const name = colon < 0 ? line : line.slice(0, colon);
        const text = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
        if (name === 'event') {
          event = text;
        } else if (name === 'data') {
          data.push(text);
        }
      }
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
