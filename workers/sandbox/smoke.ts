// Placeholder so the Worker entry builds; replaced by the real runtime below.
export async function runSmoke(code: string): Promise<string> {
  return code;
}
