---@meta pmhost
-- LuaLS annotations for pmhost plugins (api = 1). Generated from
-- Sources/PluginHost/API/APIReference.swift by `pmhost api --write docs`; do not edit.
-- Point your editor's Lua language server at this file (workspace.library).

---@class pm
---@field json pm_json
---@field yaml pm_yaml
---@field time pm_time
---@field template pm_template
---@field version string
local pm = {}

---@class ctx
---@field log ctx_log
---@field fs ctx_fs
---@field http ctx_http
---@field timeline ctx_timeline
---@field factors ctx_factors
---@field severity ctx_severity
---@field actions ctx_actions
---@field report ctx_report
---@field stage string the stage running
---@field plugin string this plugin's name
---@field pipeline_dir string the pipeline folder
---@field incident table incident.yaml as a table (start and finish in Unix seconds)
local ctx = {}

---@class ctx_log
local ctx_log = {}

---@class ctx_fs
local ctx_fs = {}

---@class ctx_http
local ctx_http = {}

---@class ctx_timeline
local ctx_timeline = {}

---@class ctx_factors
local ctx_factors = {}

---@class ctx_severity
local ctx_severity = {}

---@class ctx_actions
local ctx_actions = {}

---@class ctx_report
local ctx_report = {}

---@class pm_json
---@field null lightuserdata
local pm_json = {}

---@class pm_yaml
local pm_yaml = {}

---@class pm_time
local pm_time = {}

---@class pm_template
local pm_template = {}

--- Records a data gap (the report's Data Gaps section).
---@param reason string what could not be collected
---@param extra? table { source, window = { start, finish } }
function ctx.gap(reason, extra) end

--- Reads an environment variable the pipeline named (tokens).
---@param name string a variable the pipeline names in one of this plugin reference's `*_env` options
---@return string? # its value
function ctx.env(name) end

--- Asks a question at the terminal, or takes the answer from --answers / the pipeline's answer files.
---@param id string answer id (answers files use it)
---@param question string the question
---@param opts? table { context = { lines... }, default = text }
---@return string # the answer
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

--- Streams a regular file's lines, prefiltered in the host; saved as evidence. UTF-16 with a BOM comes as UTF-8; a line past 1 MiB is cut there, with a warning.
---@param path string relative to the pipeline folder
---@param opts? table { contains = text or {texts}, match = Lua pattern }: lines that fail never reach Lua
---@return fun(): string?, integer? # iterator of line, line number
function ctx_fs.lines(path, opts) end

--- Reads a whole file (JSON and YAML documents); saved as evidence.
---@param path string
---@return string # the whole file (256 MB at most, and within the memory limit)
function ctx_fs.read(path) end

--- Whether a file exists.
---@param path string
---@return boolean
function ctx_fs.exists(path) end

--- Files matching a glob under the pipeline folder (never the out folder).
---@param pattern string `*`, `?`, `[...]`, `**`
---@return string[] # sorted paths
function ctx_fs.glob(pattern) end

--- A folder's entries.
---@param path string a folder
---@return string[] # sorted names
function ctx_fs.list(path) end

--- Stages: report, track.
--- Writes a file in the out folder, atomically.
---@param name string relative to the out folder
---@param text string
---@return string # the path written
function ctx_fs.write(name, text) end

--- Stages: collect, track.
--- HTTP GET; the exchange is saved as evidence (replayed under --replay).
---@param url string under a URL the pipeline names in this plugin's options
---@param opts? table { query, headers, timeout_s, gap }
---@return table? # { status, body, headers, url }
---@return string? # why no response came
function ctx_http:get(url, opts) end

--- Stages: collect, track.
--- HTTP POST.
---@param url string
---@param opts? table { body = text or json = table, query, headers, timeout_s, gap }
---@return table? # { status, body, headers, url }
---@return string? # why no response came
function ctx_http:post(url, opts) end

--- Stages: collect, track.
--- GET and decode JSON; no response, a non-2xx status or bad JSON is nil, reason (and a gap unless gap = false).
---@param url string
---@param opts? table as get
---@return any # the decoded body, or nil
---@return table|string # the response, or why it failed
function ctx_http:get_json(url, opts) end

--- Stages: collect, track.
--- POST and decode the JSON answer.
---@param url string
---@param opts? table as post
---@return any # the decoded body, or nil
---@return table|string # the response, or why it failed
function ctx_http:post_json(url, opts) end

--- Stages: collect, timeline.
--- Adds an event; a bad field raises an error naming it.
---@param event table { time, event, kind, source?, actor?, evidence?, group?, fields? }
function ctx_timeline:add(event) end

--- Stages: collect, timeline.
--- Keeps a metric series for the report's charts.
---@param series table { name, points = { {t, v}... }, query?, labels?, unit?, threshold?, above? }
function ctx_timeline:add_series(series) end

--- The timeline, copied into tables.
---@return table[] # every event as a table
function ctx_timeline:events() end

--- Reads the timeline lazily, a chunk of each named field at a time: the fast way over many events.
---@param ... string field names: time, t, event, source, kind, actor, count, ...
---@return fun(): integer?, any... # iterator of index and the named fields
function ctx_timeline:each(...) end

--- A lazy, indexable view of the timeline.
---@return table # v[i].field read on demand, #v, v:each(...)
function ctx_timeline:view() end

--- Number of events.
---@return integer
function ctx_timeline:count() end

--- The metric series kept so far.
---@return table[]
function ctx_timeline:series() end

--- Stages: timeline.
--- Replaces the timeline.
---@param events table[] tables as events() gives or add takes
function ctx_timeline:replace(events) end

--- Stages: timeline.
--- Marks a key moment.
---@param name string impact_start, detected, paged, acknowledged, mitigated or resolved
---@param time number|string|nil
function ctx_timeline:set_moment(name, time) end

--- The key moments marked so far.
---@return table # name -> seconds
function ctx_timeline:moments() end

--- Stages: timeline.
--- Collapses repeated events into one row with a count (in the host).
---@param opts? table the bursts plugin's options
---@return integer # rows after collapsing
function ctx_timeline:collapse_bursts(opts) end

--- Stages: analyze.
--- Adds an immediate cause.
---@param text string
function ctx_factors:add_immediate(text) end

--- Stages: analyze.
--- Adds a systemic issue.
---@param text string
function ctx_factors:add_systemic(text) end

--- Stages: analyze.
--- Adds a contributing factor.
---@param factor table { text, category?, label?, why_chain?, evidence? }
function ctx_factors:add(factor) end

--- Stages: analyze.
--- Replaces all factors.
---@param factors table { immediate, contributing, systemic }
function ctx_factors:set(factors) end

--- The factors so far.
---@return table # { immediate, contributing, systemic }
function ctx_factors:get() end

--- Stages: analyze.
--- Sets the root cause text.
---@param text string
function ctx_factors:set_root_cause(text) end

--- Stages: classify.
--- Sets the severity.
---@param severity table { level, rule?, reason? }
function ctx_severity:set(severity) end

--- The severity, when set.
---@return table? # { level, rule, reason }
function ctx_severity:get() end

--- Stages: act.
--- Adds an action item.
---@param item table { id?, action, owner?, deadline?, priority?, status? }
function ctx_actions:add(item) end

--- The action items.
---@return table[]
function ctx_actions:list() end

--- Stages: act, track.
--- Changes an action item.
---@param id string
---@param changes table fields to change, e.g. { tracking = url }
function ctx_actions:update(id, changes) end

--- The report as it stands.
---@param options? table { timeline = false }: leave out the timeline (read it with ctx.timeline:each)
---@return table # shaped like report.json
function ctx_report:data(options) end

--- The report as report.json text.
---@return string
function ctx_report:json() end

--- Stages: report, track.
--- Writes report.json in the out folder, streamed from the model and atomically: never held as one Lua string, so any size of incident fits.
---@param name? string default report.json
---@return string # the path written
function ctx_report:write_json(name) end

--- Stages: report, track.
--- Writes an output file in the out folder, atomically.
---@param name string
---@param text string
---@return string # the path written
function ctx_report:write(name, text) end

--- Stages: analyze, classify, act, track.
--- Sets a report field.
---@param field string what_went_well, lessons_learned, root_cause, or follow_up (track only)
---@param value any
function ctx_report:set(field, value) end

--- Stages: validate.
--- Records a validation check, with what it found (`pmhost validate --json` and `--explain` show it).
---@param name string
---@param ok boolean? nil: pending
---@param detail? string
---@param extra? table { findings = { {line = n|nil, text = s} }, rows = {...}, zone = s, items = {...} }: everything found, complete
function ctx_report:check(name, ok, detail, extra) end

--- Decodes JSON (errors name line and column).
---@param text string
---@return any # null is pm.json.null
function pm_json.decode(text) end

--- Encodes JSON, keys sorted.
---@param value any
---@param opts? table { pretty = true }
---@return string
function pm_json.encode(value, opts) end

--- Marks a table as a JSON array.
---@param t? table
---@return table
function pm_json.array(t) end

--- Decodes YAML (at most 100,000 nodes with aliases expanded, 10,000 aliases, 256 levels).
---@param text string
---@param name? string the file, for errors
---@return any
function pm_yaml.decode(text, name) end

--- Encodes YAML.
---@param value any
---@return string
function pm_yaml.encode(value) end

--- Parses a time (years 0001 to 9999 only).
---@param text string
---@param format? string rfc3339 (default), nginx, unix, syslog, klog, local
---@param opts? table { near = time (syslog, klog: picks the year), offset = "+02:00" (syslog, klog, local) }
---@return number? # Unix seconds
---@return string? # why not
function pm_time.parse(text, format, opts) end

--- Whether a time computed in Lua is one the model holds (years 0001 to 9999).
---@param seconds number
---@return number? # the same seconds
---@return string? # why not
function pm_time.check(seconds) end

--- Formats a time in UTC.
---@param seconds number
---@param style? string rfc3339, clock, hm, date, datetime
---@return string # UTC text
function pm_time.format(seconds, style) end

--- A duration for people.
---@param seconds number
---@return string # 1h 35min
function pm_time.duration(seconds) end

--- Renders a Mustache template.
---@param template string Mustache
---@param view table
---@param opts? table { escape = "html" or "none" }
---@return string
function pm_template.render(template, view, opts) end

---@type ctx
ctx = ctx
---@type pm
pm = pm
