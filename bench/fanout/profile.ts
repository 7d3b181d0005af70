// Reads a V8 .cpuprofile (node --cpu-prof) into self time per function and per source file.
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** `file:///…/node_modules/werift/lib/srtp/…` -> `werift/lib/srtp/…`, our files relative to the repo. */
function shortUrl(url: string): string {
  if (!url) return '';
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) return url.slice(nm + '/node_modules/'.length);
  const pkg = url.indexOf('/packages/');
  if (pkg >= 0) return url.slice(pkg + 1);
  return url.replace(/^file:\/\//, '').replace(/^node:/, 'node:');
}

/**
 * Self time by function and by file, counting only the samples taken between `fromUs` and
 * `toUs` (V8 stamps samples with the monotonic clock that process.hrtime reads too), so that
 * start-up and joins do not blur the steady state.
 */
export function summarizeProfile(json: string, top: number, fromUs: number, toUs: number): string {
  const profile = JSON.parse(json) as CpuProfile;
  const hitsByNode = new Map<number, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    const id = profile.samples[i]!;
    hitsByNode.set(id, (hitsByNode.get(id) ?? 0) + 1);
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const hits = hitsByNode.get(node.id) ?? 0;
    if (!hits) continue;
    total += hits;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += hits;
    const file = shortUrl(url) || functionName;
    const key = `${functionName || '(anonymous)'} ${file}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    byFile.set(file, (byFile.get(file) ?? 0) + hits);
  }
  const busy = total - idle;
  const pct = (n: number) => ((n * 100) / busy).toFixed(1);
  const rows = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `| ${pct(v)} | ${k} |`);
  const seconds = (toUs - fromUs) / 1e6;
  return [
    `${seconds.toFixed(1)} s of steady load, ${total} samples, the main thread busy in ${((busy * 100) / total).toFixed(0)} %; shares below are of the busy samples`,
    '',
    '| self % | function |',
    '| ---: | --- |',
    ...rows(byFunction, top),
    '',
    '| self % | file |',
    '| ---: | --- |',
    ...rows(byFile, 15),
  ].join('\n');
}
