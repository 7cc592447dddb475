---@meta pmhost
-- LuaLS annotations for pmhost plugins (api = 2). Generated from `Sources/PluginHost/API/APIReference.swift` by `pmhost api --write docs`; do not edit.
-- Point your editor's Lua language server at this file (workspace.library), and write
-- `---@type pmhost.Plugin` above a plugin's `return {`: run's ctx then completes every call.

---@class pmhost.Plugin
---@field name string the folder or file name
---@field stage "collect"|"timeline"|"analyze"|"classify"|"act"|"report"|"validate"|"track"
---@field version string
---@field api integer 2
---@field description string?
---@field options table<string, pmhost.OptionSchema>? option schemas (docs/plugin-api.md, "Options are schemas")
---@field check (fun(opts: table, ctx: pmhost.ctx): string[]?)? option checks beyond the schema
---@field run fun(ctx: pmhost.ctx, opts: table)

--- One option's schema; any other key is an error naming it.
---@class pmhost.OptionSchema
---@field type "string"|"number"|"integer"|"boolean"|"list"|"map"|"record"|"table"|"any"|"lua_pattern"|"time_format"|"file"|"dir"|"glob"|"url"|"env"|string[] the type, or a list of alternatives
---@field required boolean? the pipeline must set it
---@field default any the value when the pipeline leaves it out
---@field doc string? what the option is for
---@field values any[]? the only values allowed
---@field pattern string? a Lua pattern a string must match
---@field min number? the least a number may be
---@field max number? the most a number may be
---@field of (string|pmhost.OptionSchema)? the schema of a list's items or a map's values
---@field fields table<string, string|pmhost.OptionSchema>? a record's fields

--- What a gap covers.
---@class pmhost.GapOptions
---@field source string? the Source label (default: the plugin's)
---@field window pmhost.Window? the span of time without data

--- A span of time; `end` is a Lua keyword, so write `w["end"]` and `{ start = a, ["end"] = b }`.
---@class pmhost.Window
---@field start number|string first moment
---@field ["end"] number|string last moment

--- How a question is asked.
---@class pmhost.PromptOptions
---@field context string[]? lines shown above the question
---@field default string? the answer when the user presses Enter

--- Filters applied in the host, before a line reaches Lua.
---@class pmhost.LinesOptions
---@field contains (string|string[])? plain text, any of which a line must hold
---@field match string? a Lua pattern a line must match

--- A request's options.
---@class pmhost.HTTPOptions
---@field query (table<string, string|number>|(string|number)[][])? name -> value (sent sorted), or a list of {name, value} pairs
---@field headers table<string, string|number>? request headers (never saved)
---@field timeout_s number? seconds (default 30)
---@field gap boolean? record a data gap on failure (default true)
---@field body string? POST only: the body
---@field json any? POST only: a table sent as JSON

--- An HTTP response (any status).
---@class pmhost.Response
---@field status integer
---@field body string
---@field headers table<string, string> lower-case names
---@field url string the URL fetched, credentials masked

--- A timeline event, as `ctx.timeline.add` takes it and `ctx.timeline.get` gives it.
---@class pmhost.Event
---@field time number|string when it happened
---@field event string what happened, one line
---@field kind string error, alert_fired, alert_resolved, paged, acknowledged, escalated, action, deploy, metric_crossed, metric_recovered, note, mitigated, resolved, or another word
---@field source string? the Source label (default: the plugin's)
---@field actor string? who acted
---@field evidence (string|string[])? where it was read: `data/api.log:123`
---@field group string? the burst label, e.g. `5xx errors`
---@field fields table<string, any>? extra values kept with the row (JSON values)
---@field time_text string? the time as the source wrote it (200 bytes at most)
---@field time_offset (number|string)? the offset applied: seconds east of UTC or `+05:30`
---@field t number? get: the time in seconds
---@field sources string[]? get: every source that reported it
---@field evidence_all string[]? get: every evidence reference
---@field count integer? get: events folded into this row (1 unless collapsed)
---@field last (number|string)? get: the last folded event's time
---@field merged pmhost.MergedRow[]? get: rows from other sources folded into it
---@field index integer? get: the row's position

--- A row from another source folded into this one.
---@class pmhost.MergedRow
---@field time number|string
---@field t number?
---@field kind string
---@field source string?
---@field event string?

--- How repeated events fold (the bursts plugin's options, where their defaults live).
---@class pmhost.BurstOptions
---@field gap number seconds of quiet that end a burst
---@field min_count integer events that make a burst
---@field title string the text of a folded row whose events differ; `%s` is the group

--- A metric series for the report's charts.
---@class pmhost.Series
---@field name string
---@field points (number|string)[][] `{ {t, v}, ... }`: t a time, v a number or "NaN", "+Inf", "-Inf"
---@field query string?
---@field labels table<string, string>?
---@field unit string?
---@field threshold number?
---@field above boolean? the threshold is crossed upwards
---@field source string?
---@field plugin string? get: the plugin that added it

--- A contributing factor.
---@class pmhost.Factor
---@field text string
---@field category string? fishbone category
---@field label string?
---@field why_chain string[]?
---@field evidence string[]?

--- Every factor.
---@class pmhost.Factors
---@field immediate string[]?
---@field contributing pmhost.Factor[]?
---@field systemic string[]?

--- A severity and why.
---@class pmhost.Severity
---@field level string e.g. P1
---@field rule string?
---@field reason string?

--- An action item.
---@class pmhost.ActionItem
---@field id string? AI-nnn when missing
---@field action string what will be done
---@field owner string?
---@field deadline string? YYYY-MM-DD
---@field priority string?
---@field status string? default open
---@field tracking any? where it is tracked

--- Fields to change.
---@class pmhost.ActionChanges
---@field action string? what will be done
---@field owner string?
---@field deadline string? YYYY-MM-DD
---@field priority string?
---@field status string? default open
---@field tracking any? where it is tracked

--- What to leave out.
---@class pmhost.ReportGetOptions
---@field timeline boolean? false: leave the timeline out (read it with ctx.timeline.each)

--- Report fields a plugin sets.
---@class pmhost.ReportFields
---@field root_cause string?
---@field what_went_well string[]?
---@field lessons_learned string[]?

--- Everything a check found, complete, and what it recognised (docs/validate.md).
---@class pmhost.CheckExtra
---@field findings pmhost.Finding[]?
---@field rows any?
---@field zone any?
---@field items any?

--- One thing a check found.
---@class pmhost.Finding
---@field line integer? a Markdown document's line
---@field text string

---@class pmhost.EncodeOptions
---@field pretty boolean?

--- For times written without a year or an offset.
---@class pmhost.ParseOptions
---@field near (number|string)? syslog, klog: the year is the one nearest this time
---@field offset (string|number)? syslog, klog, local: `+02:00` or seconds

---@class pmhost.RenderOptions
---@field escape ("html"|"none")? default html

--- incident.yaml as a table (read-only).
---@class pmhost.Incident
---@field id string
---@field title string
---@field started_at string RFC 3339
---@field ended_at string RFC 3339
---@field start number seconds
---@field ["end"] number seconds (`ctx.incident["end"]`)
---@field services string[]
---@field authors string[]
---@field severity string?
---@field impact any?
---@field summary string?
---@field root_cause string?
---@field reviewed string?
---@field distributed_at string?
---@field people table<string, string[]> handle -> aliases
---@field what_went_well string[]
---@field lessons_learned string[]

---@class pmhost.TimelineView
---@field [integer] pmhost.Event
local TimelineView = {}
---@param ... string field names
---@return fun(): integer?, any
function TimelineView:each(...) end

---@class pmhost.pm
---@field json pmhost.pm.json
---@field base64 pmhost.pm.base64
---@field yaml pmhost.pm.yaml
---@field time pmhost.pm.time
---@field template pmhost.pm.template
---@field version string
local pm = {}

---@class pmhost.ctx
---@field log pmhost.ctx.log
---@field fs pmhost.ctx.fs
---@field http pmhost.ctx.http
---@field timeline pmhost.ctx.timeline
---@field moments pmhost.ctx.moments
---@field series pmhost.ctx.series
---@field factors pmhost.ctx.factors
---@field severity pmhost.ctx.severity
---@field actions pmhost.ctx.actions
---@field report pmhost.ctx.report
---@field stage string the stage running
---@field plugin string this plugin's name
---@field pipeline_dir string the pipeline folder
---@field incident pmhost.Incident
---@field replay boolean true under `pmhost run --replay` (no request is sent)
local ctx = {}

---@class pmhost.ctx.log
local ctx_log = {}

---@class pmhost.ctx.fs
local ctx_fs = {}

---@class pmhost.ctx.http
local ctx_http = {}

---@class pmhost.ctx.timeline
local ctx_timeline = {}

---@class pmhost.ctx.moments
local ctx_moments = {}

---@class pmhost.ctx.series
local ctx_series = {}

---@class pmhost.ctx.factors
local ctx_factors = {}

---@class pmhost.ctx.severity
local ctx_severity = {}

---@class pmhost.ctx.actions
local ctx_actions = {}

---@class pmhost.ctx.report
local ctx_report = {}

---@class pmhost.pm.json
---@field null lightuserdata JSON null
local pm_json = {}

---@class pmhost.pm.base64
local pm_base64 = {}

---@class pmhost.pm.yaml
local pm_yaml = {}

---@class pmhost.pm.time
local pm_time = {}

---@class pmhost.pm.template
local pm_template = {}

--- Records a data gap (the report's Data Gaps section).
---@param reason string what could not be collected
---@param opts? pmhost.GapOptions
function ctx.gap(reason, opts) end

--- Stages: collect, track.
--- Shows where a long collection is on the stage's progress line (a terminal only; at most 200 characters).
---@param text string what the plugin is doing, e.g. `page 12: 120,000 rows, 14.2 MB, up to 10:32Z`
function ctx.progress(text) end

--- Reads an environment variable the pipeline named (tokens).
---@param name string a variable the pipeline names in one of this plugin's `*_env` options
---@return string? value
function ctx.env(name) end

--- Asks a question at the terminal, or takes the answer from --answers or the pipeline's answer files.
---@param id string answer id (answers files use it)
---@param question string
---@param opts? pmhost.PromptOptions
---@return string answer
function ctx.prompt(id, question, opts) end

--- Logs a line on stderr (not with --quiet).
---@param text any
function ctx_log.info(text) end

--- Records a warning in report.json and prints it.
---@param text any
function ctx_log.warn(text) end

--- Logs a line when PMHOST_DEBUG is set.
---@param text any
function ctx_log.debug(text) end

--- Streams a regular file's lines, prefiltered in the host: `for n, line in ctx.fs.lines(p)`; saved as evidence. UTF-16 with a BOM comes as UTF-8; a line past 1 MiB is cut there, with a warning.
---@param path string relative to the pipeline folder
---@param opts? pmhost.LinesOptions
---@return fun(): integer?, string? iterator # line number and line
function ctx_fs.lines(path, opts) end

--- Reads a whole file (JSON and YAML documents); saved as evidence.
---@param path string
---@return string text # the whole file (256 MB at most, and within the memory limit)
function ctx_fs.read(path) end

--- Whether a file exists.
---@param path string
---@return boolean exists
function ctx_fs.exists(path) end

--- Files matching a glob under the pipeline folder (never the out folder).
---@param pattern string `*`, `?`, `[...]`, `**`
---@return string[] paths # sorted
function ctx_fs.glob(pattern) end

--- A folder's entries.
---@param path string a folder
---@return string[] names # sorted
function ctx_fs.list(path) end

--- Stages: collect, track.
--- HTTP GET; the exchange is saved as evidence (replayed under --replay).
---@param url string under a URL the pipeline names in this plugin's options
---@param opts? pmhost.HTTPOptions
---@return pmhost.Response? response
---@return string? reason # why no response came
function ctx_http.get(url, opts) end

--- Stages: collect, track.
--- HTTP POST of `opts.body` or `opts.json`.
---@param url string
---@param opts? pmhost.HTTPOptions
---@return pmhost.Response? response
---@return string? reason
function ctx_http.post(url, opts) end

--- Stages: collect, track.
--- HTTP DELETE, with `opts.body` or `opts.json` when given (closing a search context a collector opened).
---@param url string
---@param opts? pmhost.HTTPOptions
---@return pmhost.Response? response
---@return string? reason
function ctx_http.delete(url, opts) end

--- Stages: collect, track.
--- GET and decode JSON; no response, a non-2xx status or bad JSON is nil, reason (and a gap unless gap = false).
---@param url string
---@param opts? pmhost.HTTPOptions
---@return any? value # the decoded body
---@return pmhost.Response|string response_or_reason
function ctx_http.get_json(url, opts) end

--- Stages: collect, track.
--- POST and decode the JSON answer.
---@param url string
---@param opts? pmhost.HTTPOptions
---@return any? value
---@return pmhost.Response|string response_or_reason
function ctx_http.post_json(url, opts) end

--- Stages: collect, timeline.
--- Adds an event.
---@param event pmhost.Event
function ctx_timeline.add(event) end

--- The timeline, copied into tables (for 100,000s of rows read it with ctx.timeline.each).
---@return pmhost.Event[] events
function ctx_timeline.get() end

--- Reads the timeline lazily, a chunk of each named field at a time: `for i, t, event in ctx.timeline.each("t", "event")`.
---@param ... string field names as get gives them: time, t, event, source, kind, ...
---@return fun(): integer?, any iterator # index and the named fields
function ctx_timeline.each(...) end

--- A lazy, indexable view of the timeline.
---@return pmhost.TimelineView view # v[i].field read on demand, #v, v:each(...)
function ctx_timeline.view() end

--- Number of events.
---@return integer count
function ctx_timeline.count() end

--- Stages: timeline.
--- Replaces the timeline.
---@param events pmhost.Event[] as get gives or add takes
function ctx_timeline.replace(events) end

--- Stages: timeline.
--- Folds repeated events into one row with a count and span (in the host).
---@param opts pmhost.BurstOptions
---@return integer rows # rows after collapsing
function ctx_timeline.collapse_bursts(opts) end

--- Stages: timeline.
--- Marks a key moment.
---@param name "impact_start"|"detected"|"paged"|"acknowledged"|"mitigated"|"resolved"
---@param time? number|string nil clears it
function ctx_moments.set(name, time) end

--- The key moments marked so far.
---@return table<string, number> moments # name -> seconds
function ctx_moments.get() end

--- Stages: collect, timeline.
--- Keeps a metric series for the report's charts.
---@param series pmhost.Series
function ctx_series.add(series) end

--- The series kept so far.
---@return pmhost.Series[] series
function ctx_series.get() end

--- Stages: analyze.
--- Adds a contributing factor (a text already listed is ignored).
---@param factor pmhost.Factor
function ctx_factors.add(factor) end

--- Stages: analyze.
--- Adds an immediate cause.
---@param text string
function ctx_factors.add_immediate(text) end

--- Stages: analyze.
--- Adds a systemic issue.
---@param text string
function ctx_factors.add_systemic(text) end

--- Stages: analyze.
--- Replaces every factor.
---@param factors pmhost.Factors
function ctx_factors.set(factors) end

--- The factors so far.
---@return pmhost.Factors factors
function ctx_factors.get() end

--- Stages: classify.
--- Sets the severity.
---@param severity pmhost.Severity
function ctx_severity.set(severity) end

--- The severity, when set.
---@return pmhost.Severity? severity
function ctx_severity.get() end

--- Stages: act.
--- Adds an action item (status `open` unless given).
---@param item pmhost.ActionItem
---@return string id
function ctx_actions.add(item) end

--- The action items.
---@return pmhost.ActionItem[] items
function ctx_actions.get() end

--- Stages: act, track.
--- Changes the fields given (nil keeps one); the id never changes.
---@param id string
---@param changes pmhost.ActionChanges
function ctx_actions.update(id, changes) end

--- The report as it stands.
---@param opts? pmhost.ReportGetOptions
---@return table report # shaped like report.json
function ctx_report.get(opts) end

--- The report as report.json text.
---@return string text
function ctx_report.json() end

--- Stages: report, track.
--- Writes a file in the out folder, atomically: the one writer.
---@param name string relative to the out folder
---@param text string
---@return string path # the path written
function ctx_report.write(name, text) end

--- Stages: report, track.
--- Writes report.json streamed from the model, atomically: never one Lua string, so any size of incident fits.
---@param name? string default report.json
---@return string path
function ctx_report.write_json(name) end

--- Stages: analyze, classify, act.
--- Sets the root cause, what went well and lessons learned (a blank root cause states none; blank entries are left out).
---@param fields pmhost.ReportFields
function ctx_report.set(fields) end

--- Stages: track.
--- Records the follow-up review (report.json's follow_up); nil or `{}` clears it.
---@param follow_up? table e.g. { at = "2025-03-09", calendar = "follow-up.ics" }
function ctx_report.set_follow_up(follow_up) end

--- Stages: validate.
--- Records a validation check, with what it found (`pmhost validate --json` and `--explain` show it).
---@param name string
---@param ok? boolean nil: pending
---@param detail? string
---@param extra? pmhost.CheckExtra
function ctx_report.check(name, ok, detail, extra) end

--- Decodes JSON.
---@param text string
---@return any value # null is pm.json.null
function pm_json.decode(text) end

--- Encodes JSON, keys sorted.
---@param value? any
---@param opts? pmhost.EncodeOptions
---@return string text
function pm_json.encode(value, opts) end

--- Marks a table as a JSON array.
---@param t? table
---@return table t
function pm_json.array(t) end

--- Encodes bytes as base64 (RFC 4648, with padding): an `Authorization: Basic` header.
---@param bytes string
---@return string text
function pm_base64.encode(bytes) end

--- Decodes base64 (RFC 4648, with padding; white space around it ignored).
---@param text string
---@return string? bytes
---@return string? reason # why not: not base64
function pm_base64.decode(text) end

--- Decodes YAML (at most 100,000 nodes with aliases expanded, 10,000 aliases, 256 levels).
---@param text string
---@param name? string the file, for errors
---@return any value
function pm_yaml.decode(text, name) end

--- Encodes YAML.
---@param value? any
---@return string text
function pm_yaml.encode(value) end

--- Parses a time (years 0001 to 9999 only).
---@param text string
---@param format? "rfc3339"|"nginx"|"unix"|"syslog"|"klog"|"local" default rfc3339
---@param opts? pmhost.ParseOptions
---@return number? seconds # Unix seconds
---@return string? reason # why not
function pm_time.parse(text, format, opts) end

--- Whether a time computed in Lua is one the model holds (years 0001 to 9999).
---@param seconds number
---@return number? seconds
---@return string? reason
function pm_time.check(seconds) end

--- Formats a time in UTC.
---@param seconds number
---@param style? "rfc3339"|"clock"|"hm"|"date"|"datetime" default rfc3339
---@return string text # UTC
function pm_time.format(seconds, style) end

--- A duration for people.
---@param seconds number
---@return string text # 1h 35min
function pm_time.duration(seconds) end

--- Renders a Mustache template.
---@param template string Mustache
---@param view table
---@param opts? pmhost.RenderOptions
---@return string text
function pm_template.render(template, view, opts) end

---@type pmhost.pm
pm = pm
