import cliProgress from 'cli-progress';

/** What a sync reports as it goes (SyncProgress without the summary this needs not). */
export interface ProgressReport {
  pulled: number;
  total?: number;
}

/**
 * Progress of a sync on stderr (stdout keeps the JSON summary as its last line): a live bar when
 * stderr is a terminal, otherwise (logs, CI) one line each time another tenth is done. Without a
 * known total (an incremental cycle) the bar shows the count only and logs stay quiet.
 */
export function progressReporter(stream: NodeJS.WriteStream = process.stderr): { update(p: ProgressReport): void; stop(): void } {
  if (stream.isTTY) {
    let bar: cliProgress.SingleBar | undefined;
    return {
      update(p) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream,
              format: p.total ? 'contacts [{bar}] {percentage}% | {value}/{total} | ETA {eta_formatted}' : 'contacts {value}',
              hideCursor: true,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(p.total ?? 0, p.pulled);
        }
        if (p.total && p.total !== bar.getTotal()) bar.setTotal(p.total);
        bar.update(p.pulled);
      },
      stop() {
        bar?.stop();
      },
    };
  }
  let reported = 0;
  return {
    update(p) {
      if (!p.total) return;
      const tenth = Math.min(10, Math.floor((10 * p.pulled) / p.total));
      if (tenth <= reported) return;
      reported = tenth;
      stream.write(`sync: ${tenth * 10}% (${p.pulled} of ${p.total} contacts)\n`);
    },
    stop() {},
  };
}
