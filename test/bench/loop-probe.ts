import { writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

/**
 * Preloaded into a benchmarked server (`--import`): measures its event-loop delay and peak RSS
 * without the server knowing. SIGUSR2 writes the figures since the last signal to LOOP_PROBE_FILE
 * and starts a new window.
 */
const file = process.env.LOOP_PROBE_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  sampler.unref();
  process.on('SIGUSR2', () => {
    const figures = {
      loopDelayP99Ms: delay.percentile(99) / 1e6,
      loopDelayMaxMs: delay.max / 1e6,
      peakRssMb: Math.max(peakRss, process.memoryUsage.rss()) / 2 ** 20,
    };
    writeFileSync(file, JSON.stringify(figures));
    delay.reset();
    peakRss = process.memoryUsage.rss();
  });
}
