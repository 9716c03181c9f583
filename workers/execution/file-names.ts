/** A program's file names must stay inside its own directory: no absolute paths, no `..`. */
export function isSafeRelativePath(name: string): boolean {
  if (name === "" || name.length > 255 || name.includes("\0")) return false;
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name)) return false;
  return !name.split(/[\\/]/).some((segment) => segment === "..");
}
