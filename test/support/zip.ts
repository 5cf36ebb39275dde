import yazl from 'yazl';

export interface ZipEntry {
  /** File content; a string is UTF-8. */
  content: string | Buffer;
  /** Unix mode (e.g. 0o755 for an executable bootstrap). */
  mode?: number;
}

/** Builds a zip in memory from `{ 'path/in/zip': content }`. */
export function makeZip(files: Record<string, string | Buffer | ZipEntry>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, value] of Object.entries(files)) {
    const entry = typeof value === 'string' || Buffer.isBuffer(value) ? { content: value } : value;
    const bytes = typeof entry.content === 'string' ? Buffer.from(entry.content) : entry.content;
    zip.addBuffer(bytes, name, { mode: entry.mode ?? 0o100644, mtime: new Date(0) });
  }
  zip.end();
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => ok(Buffer.concat(chunks)));
    zip.outputStream.on('error', fail);
  });
}
