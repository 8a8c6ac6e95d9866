/**
 * How much longer `run` takes when its input grows `factor` times: time(factor·n) / time(n).
 * Linear work gives about `factor`, quadratic work about factor². Each time is the fastest of
 * `samples` interleaved measurements (noise from a busy machine only ever adds time), and each
 * measurement averages enough calls to last `minMs`, so small inputs are still measurable.
 */
export function growthRatio<T>(
  run: (input: T) => unknown,
  make: (n: number) => T,
  n: number,
  options: { factor?: number; samples?: number; minMs?: number } = {},
): number {
  const { factor = 4, samples = 7, minMs = 30 } = options;
  const small = make(n);
  const large = make(n * factor);
  run(small); // warm up the JIT
  run(large);
  let fastestSmall = Infinity;
  let fastestLarge = Infinity;
  for (let i = 0; i < samples; i += 1) {
    fastestSmall = Math.min(
      fastestSmall,
      timePerCall(() => run(small), minMs),
    );
    fastestLarge = Math.min(
      fastestLarge,
      timePerCall(() => run(large), minMs),
    );
  }
  return fastestLarge / fastestSmall;
}

function timePerCall(call: () => unknown, minMs: number): number {
  for (let calls = 1; ; calls *= 2) {
    const start = performance.now();
    for (let i = 0; i < calls; i += 1) call();
    const elapsed = performance.now() - start;
    if (elapsed >= minMs) return elapsed / calls;
  }
}
