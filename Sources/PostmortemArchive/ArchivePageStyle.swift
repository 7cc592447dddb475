extension ArchivePage {
  /// The page's only style: light and dark schemes from the reader's setting, the charts'
  /// colours as classes (severities `s0`...`s5` from the most severe, `su` for unknown),
  /// and print in the light scheme with figures kept whole.
  static let style = """
    :root { color-scheme: light dark; --fg: #1f2328; --muted: #57606a; --bg: #ffffff; --line: #d0d7de;
      --head: #f6f8fa; --grid: #e6e9ed; --s0: #cf222e; --s1: #e16f24; --s2: #bf8700; --s3: #2da44e;
      --s4: #0969da; --s5: #8250df; --su: #8c959f; --bar: #0969da; --other: #8c959f; --median: #0969da;
      --p90: #cf222e; }
    @media (prefers-color-scheme: dark) {
      :root { --fg: #e6edf3; --muted: #8d96a0; --bg: #0d1117; --line: #30363d; --head: #161b22;
        --grid: #21262d; --s0: #f85149; --s1: #f0883e; --s2: #d29922; --s3: #3fb950; --s4: #58a6ff;
        --s5: #bc8cff; --su: #6e7681; --bar: #58a6ff; --other: #6e7681; --median: #58a6ff; --p90: #f85149; }
    }
    html { background: var(--bg); color: var(--fg); }
    body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 1000px;
      margin: 2em auto; padding: 0 1em; }
    h1 { font-size: 1.7em; margin-bottom: .2em; }
    h2 { font-size: 1.3em; border-bottom: 1px solid var(--line); padding-bottom: .2em; margin-top: 1.8em; }
    p.sub, figcaption, .note, .none, td .n { color: var(--muted); }
    .none { font-style: italic; }
    dl.totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(10em, 1fr)); gap: .6em 1.2em;
      margin: 1.2em 0; }
    dl.totals div { border: 1px solid var(--line); border-radius: 6px; padding: .5em .8em; }
    dl.totals dt { font-size: .85em; color: var(--muted); }
    dl.totals dd { margin: 0; font-size: 1.35em; font-weight: 600; font-variant-numeric: tabular-nums; }
    dl.totals dd small { font-size: .6em; font-weight: 400; color: var(--muted); }
    table { border-collapse: collapse; width: 100%; font-size: .92em; margin: .6em 0; }
    th, td { border: 1px solid var(--line); padding: .3em .6em; text-align: left; vertical-align: top;
      overflow-wrap: anywhere; overflow: hidden; }
    th { background: var(--head); }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
    td.date { white-space: nowrap; font-variant-numeric: tabular-nums; }
    figure { margin: 1em 0; }
    details { margin: .4em 0 1em; }
    summary { cursor: pointer; color: var(--muted); }
    svg.chart { display: block; width: 100%; height: auto; font: 13px system-ui, sans-serif; }
    svg.chart text { fill: var(--fg); }
    svg.chart .axis text { fill: var(--muted); font-size: 12px; }
    svg.chart .axis line { stroke: var(--grid); stroke-width: 1; }
    svg.chart .value { font-size: 12px; font-variant-numeric: tabular-nums; }
    svg.chart .bar { fill: var(--bar); }
    svg.chart .bar.other { fill: var(--other); }
    svg.chart .s0 { fill: var(--s0); stroke: var(--s0); } svg.chart .s1 { fill: var(--s1); stroke: var(--s1); }
    svg.chart .s2 { fill: var(--s2); stroke: var(--s2); } svg.chart .s3 { fill: var(--s3); stroke: var(--s3); }
    svg.chart .s4 { fill: var(--s4); stroke: var(--s4); } svg.chart .s5 { fill: var(--s5); stroke: var(--s5); }
    svg.chart .su { fill: var(--su); stroke: var(--su); }
    svg.chart rect.bar { stroke: none; }
    svg.chart .median { stroke: var(--median); fill: var(--median); }
    svg.chart .p90 { stroke: var(--p90); fill: var(--p90); }
    svg.chart .line { fill: none; stroke-width: 2; }
    svg.chart .p90 .line, svg.chart line.p90 { stroke-dasharray: 6 4; }
    @media print {
      :root { color-scheme: light; --fg: #000; --muted: #444; --bg: #fff; --line: #999; --head: #eee;
        --grid: #ddd; }
      html, body { background: #fff; }
      body { font-size: 10pt; margin: 0; max-width: none; }
      figure, tr, dl.totals div { break-inside: avoid; }
      h2 { break-after: avoid; }
      summary { display: none; }
      * { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
    }
    """
}
