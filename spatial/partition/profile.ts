/**
 * Step timings on stderr when WANGGE_PROFILE=1 (for finding where a partition spends its time; off otherwise).
 */
export function stepTimer(scope: string): (what: string) => void {
  if (process.env.WANGGE_PROFILE !== '1') return () => {};
  let t = performance.now();
  return (what: string) => {
    const now = performance.now();
    process.stderr.write(`  ${scope} ${what}: ${((now - t) / 1000).toFixed(2)} s\n`);
    t = now;
  };
}
