/**
 * For tests (`@companion/metrics/testing`): scrapes /metrics and parses the text format strictly, so a
 * malformed line fails the test (the npm parsers we tried accept garbage silently).
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const SUFFIXES: Record<string, readonly string[]> = { histogram: ["_bucket", "_sum", "_count"], summary: ["", "_sum", "_count"] };

// Prometheus reads the special values case-insensitively (Go's ParseFloat), and prom-client
// 15 writes NaN as "Nan" (the event-loop lag before its first sample).
function parseValue(raw: string, line: string): number {
  const special = raw.toLowerCase();
  if (special === "+inf") return Infinity;
  if (special === "-inf") return -Infinity;
  if (special === "nan") return NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw)) throw new Error(`bad value in: ${line}`);
  return Number(raw);
}

function parseLabels(raw: string, line: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = raw;
  while (rest !== "") {
    const m = LABEL.exec(rest);
    if (!m?.[1] || m[2] === undefined) throw new Error(`bad labels in: ${line}`);
    if (m[1] in labels) throw new Error(`duplicate label ${m[1]} in: ${line}`);
    labels[m[1]] = m[2].replace(/\\(["\\n])/g, (_, c: string) => (c === "n" ? "\n" : c));
    rest = rest.slice(m[0].length);
  }
  return labels;
}

/** Every sample of the text; throws on any line that is not valid exposition format. */
export function parsePrometheusText(text: string): Sample[] {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    if (line.startsWith("#")) {
      const [, keyword, name, ...rest] = line.split(" ");
      if (keyword === "TYPE") {
        const type = rest.join(" ");
        if (!name || !NAME.test(name) || !TYPES.has(type) || types.has(name)) throw new Error(`bad TYPE line: ${line}`);
        types.set(name, type);
      } else if (keyword === "HELP" && (!name || !NAME.test(name))) {
        throw new Error(`bad HELP line: ${line}`);
      }
      continue;
    }
    const m = SAMPLE.exec(line);
    if (!m?.[1] || !m[3]) throw new Error(`bad sample line: ${line}`);
    const name = m[1];
    const labels = parseLabels(m[2] ?? "", line);
    const family = [...types].find(([f, type]) => (SUFFIXES[type] ?? [""]).some((suffix) => `${f}${suffix}` === name));
    if (!family) throw new Error(`sample without a TYPE: ${line}`);
    if (family[1] === "histogram" && name.endsWith("_bucket") && !("le" in labels)) throw new Error(`bucket without le: ${line}`);
    samples.push({ name, labels, value: parseValue(m[3], line) });
  }
  return samples;
}

/** The sum of the samples named `name` whose labels include `labels` (0 when there are none). */
export function valueOf(samples: readonly Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** The distinct values of `label` among the samples named `name`. */
export function labelValues(samples: readonly Sample[], name: string, label: string): Set<string> {
  return new Set(samples.filter((s) => s.name === name && s.labels[label] !== undefined).map((s) => s.labels[label] as string));
}

/** GET `url` (a /metrics address), with the bearer token if given; checks status and content type. */
export async function scrape(url: string, token?: string): Promise<Sample[]> {
  const res = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const body = await res.text();
  if (res.status !== 200) throw new Error(`scrape of ${url}: ${res.status} ${body}`);
  const type = res.headers.get("content-type") ?? "";
  if (!type.startsWith("text/plain; version=0.0.4")) throw new Error(`scrape of ${url}: content-type ${type}`);
  return parsePrometheusText(body);
}
