/** CloudWatch's limit for one log event; longer lines are cut into pieces of this size. */
export const MAX_LOG_LINE_BYTES = 262_144;

/**
 * Splits a byte stream into lines without holding more than one (bounded) partial line, so a
 * process printing without newlines cannot grow the server's memory.
 */
export class LineSplitter {
  #partial = '';

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Buffer): void {
    let text = this.#partial + chunk.toString('utf8');
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      this.emit(text.slice(start, nl));
      start = nl + 1;
    }
    text = text.slice(start);
    while (text.length > MAX_LOG_LINE_BYTES) {
      this.emit(text.slice(0, MAX_LOG_LINE_BYTES));
      text = text.slice(MAX_LOG_LINE_BYTES);
    }
    this.#partial = text;
  }

  /** Emits whatever is left without a trailing newline. */
  flush(): void {
    if (this.#partial) this.emit(this.#partial);
    this.#partial = '';
  }
}
