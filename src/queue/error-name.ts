/** An error as logs may name it: its class and code only, since vendor messages can quote record values (personal data). */
export function errorName(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { errorCode?: unknown; code?: unknown }).errorCode ?? (error as { code?: unknown }).code;
    return code === undefined ? error.name : `${error.name} (${String(code)})`;
  }
  return typeof error;
}
