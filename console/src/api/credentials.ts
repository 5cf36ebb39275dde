/** The access key the console signs with, kept for this browser tab only (never a cookie). */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const STORAGE_KEY = 'nimbus.credentials';

/**
 * Signs requests when the server does not enforce authentication (loopback without configured
 * keys accepts any signature, or none).
 */
export const ANONYMOUS: Credentials = { accessKeyId: 'NIMBUSCONSOLE', secretAccessKey: 'console' };

export function storedCredentials(): Credentials | undefined {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const c = JSON.parse(raw) as Partial<Credentials>;
    return c.accessKeyId && c.secretAccessKey
      ? { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey }
      : undefined;
  } catch {
    return undefined;
  }
}

export function storeCredentials(c: Credentials | undefined): void {
  if (c) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(c));
  else sessionStorage.removeItem(STORAGE_KEY);
}
