import type { AppProcess } from "../test/support/app-process.js";
import { median } from "./delivery-stream.js";
import { cacheInstallationTokens } from "./floor.js";
import type { RequestRecorder } from "./request-recorder.js";
import type { BenchRepo } from "./bench-repo.js";
import {
  againstFloor,
  CPU_PASSES,
  floorPass,
  medianPass,
  measureTicks,
  WARM_UP_PASSES,
  type CpuPass,
  type EconomyMeasurement,
  type FloorCpu,
} from "./write-economy.js";

export interface CpuComparison {
  floor: FloorCpu[];
  passes: CpuPass[];
  median: CpuPass;
}

/**
 * The App's CPU per event against the equal-calls floor, side by side: the App and the no-op app at
 * 1 and at 2 calls an event run at once and take turns, a pass each per round, so a slow spell of
 * this shared machine falls on all three alike rather than on whichever ran then. Rounds before
 * WARM_UP_PASSES are not counted; each counted round sets the App's pass against the floor
 * interpolated from that round's two floor passes at the App's calls per event.
 */
export async function compareCpu(input: {
  repo: BenchRepo;
  recorder: RequestRecorder;
  app: AppProcess;
  /** A pass of the App already made: its stream is what the floor takes, padded to its write size. */
  first: EconomyMeasurement;
  startFloor: (calls: number) => Promise<AppProcess>;
}): Promise<CpuComparison> {
  const { repo, recorder, app, first } = input;
  const floors: AppProcess[] = [];
  try {
    for (const calls of [1, 2]) floors.push(await input.startFloor(calls));
    for (const floor of floors) await cacheInstallationTokens(floor, recorder, [first.stream]);
    const floorPasses: number[][] = [[], []];
    const passes: CpuPass[] = [];
    for (let round = 0; round < WARM_UP_PASSES + CPU_PASSES; round++) {
      await recorder.untilIdle();
      const ticks = await measureTicks(repo, app, recorder, { installations: 64, prsEach: 1, ticksEach: 8 });
      const [one, two] = [await floorPass(floors[0]!, first.stream), await floorPass(floors[1]!, first.stream)];
      if (round < WARM_UP_PASSES) continue;
      floorPasses[0]!.push(one);
      floorPasses[1]!.push(two);
      passes.push(
        againstFloor(ticks, [
          { calls: 1, cpuMsPerEvent: one, passes: [one] },
          { calls: 2, cpuMsPerEvent: two, passes: [two] },
        ]),
      );
    }
    return {
      floor: [1, 2].map((calls, i) => ({ calls, cpuMsPerEvent: median(floorPasses[i]!), passes: floorPasses[i]! })),
      passes,
      median: medianPass(passes),
    };
  } finally {
    for (const floor of floors) await floor.stop();
  }
}
