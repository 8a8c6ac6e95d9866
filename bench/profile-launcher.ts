import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { run, type ApplicationFunction } from "probot";

/**
 * Runs an app the way `probot run` does, under the V8 CPU profiler, and writes the profile to
 * $PROFILE_OUT when stopped with SIGTERM (`--cpu-prof` writes nothing on a signal). SIGUSR2
 * starts the profile afresh, so that it covers only the measured events, not start-up.
 */
const session = new Session();
session.connect();
await session.post("Profiler.enable");
await session.post("Profiler.setSamplingInterval", { interval: 1000 });
await session.post("Profiler.start");
process.on("SIGUSR2", async () => {
  await session.post("Profiler.stop");
  await session.post("Profiler.start");
});
process.once("SIGTERM", async () => {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(process.env.PROFILE_OUT ?? "app.cpuprofile", JSON.stringify(profile));
  process.exit(0);
});
const entry = process.argv[2];
if (!entry) throw new Error("usage: profile-launcher <app module>");
const app = (await import(entry)) as { default: ApplicationFunction };
await run(app.default);
