/** `versionAtLeast('15.1.3', 15, 1)` → true. Pre-release tags count as their release. */
export function versionAtLeast(version: string, major: number, minor = 0): boolean {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version.trim());
  if (!m) return true;
  const [maj, min] = [Number(m[1]), Number(m[2] ?? 0)];
  return maj > major || (maj === major && min >= minor);
}
